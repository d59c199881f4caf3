// Original file: proto/tsem/v1/tsem.proto


export interface ActivateCredentialRequest {
  'credential_blob'?: (Buffer | Uint8Array | string);
  'encrypted_secret'?: (Buffer | Uint8Array | string);
}

export interface ActivateCredentialRequest__Output {
  'credential_blob': (Buffer);
  'encrypted_secret': (Buffer);
}
