// Original file: proto/tsem/v1/tsem.proto


export interface ImaPolicyRequest {
  'name'?: (string);
  'host'?: (boolean);
}

export interface ImaPolicyRequest__Output {
  'name': (string);
  'host': (boolean);
}
