// Original file: proto/tsem/v1/tsem.proto


export interface LoadModelRequest {
  'name'?: (string);
  'model'?: (string);
  'create'?: (boolean);
  'signature'?: (string);
  'replace'?: (boolean);
  'merge'?: (boolean);
}

export interface LoadModelRequest__Output {
  'name': (string);
  'model': (string);
  'create': (boolean);
  'signature': (string);
  'replace': (boolean);
  'merge': (boolean);
}
