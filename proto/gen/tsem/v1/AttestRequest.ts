// Original file: proto/tsem/v1/tsem.proto


export interface AttestRequest {
  'name'?: (string);
  'nonce'?: (string);
}

export interface AttestRequest__Output {
  'name': (string);
  'nonce': (string);
}
