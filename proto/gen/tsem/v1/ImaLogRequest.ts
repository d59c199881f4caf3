// Original file: proto/tsem/v1/tsem.proto


export interface ImaLogRequest {
  'name'?: (string);
  'format'?: (string);
  'bank'?: (string);
  'host'?: (boolean);
}

export interface ImaLogRequest__Output {
  'name': (string);
  'format': (string);
  'bank': (string);
  'host': (boolean);
}
