// Original file: proto/tsem/v1/tsem.proto


export interface ListTasksRequest {
  'name'?: (string);
  'untrusted_only'?: (boolean);
}

export interface ListTasksRequest__Output {
  'name': (string);
  'untrusted_only': (boolean);
}
