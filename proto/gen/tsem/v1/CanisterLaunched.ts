// Original file: proto/tsem/v1/tsem.proto


export interface CanisterLaunched {
  'pid'?: (number);
  'start_time'?: (string);
}

export interface CanisterLaunched__Output {
  'pid': (number);
  'start_time': (string);
}
