// Original file: proto/tsem/v1/tsem.proto


export interface LoadModelRequest {
  'name'?: (string);
  'model'?: (string);
  'create'?: (boolean);
}

export interface LoadModelRequest__Output {
  'name': (string);
  'model': (string);
  'create': (boolean);
}
