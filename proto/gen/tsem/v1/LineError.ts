// Original file: proto/tsem/v1/tsem.proto


export interface LineError {
  'index'?: (number);
  'error'?: (string);
}

export interface LineError__Output {
  'index': (number);
  'error': (string);
}
