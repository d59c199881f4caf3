// Original file: proto/tsem/v1/tsem.proto


export interface RemoveImaKeyRequest {
  'name'?: (string);
  'keyid'?: (string);
}

export interface RemoveImaKeyRequest__Output {
  'name': (string);
  'keyid': (string);
}
