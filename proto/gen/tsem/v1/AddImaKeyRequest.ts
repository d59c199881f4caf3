// Original file: proto/tsem/v1/tsem.proto


export interface AddImaKeyRequest {
  'name'?: (string);
  'key'?: (Buffer | Uint8Array | string);
  'source'?: (string);
}

export interface AddImaKeyRequest__Output {
  'name': (string);
  'key': (Buffer);
  'source': (string);
}
