// Original file: proto/tsem/v1/tsem.proto


export interface ImaKeyringRequest {
  'name'?: (string);
  'host'?: (boolean);
}

export interface ImaKeyringRequest__Output {
  'name': (string);
  'host': (boolean);
}
