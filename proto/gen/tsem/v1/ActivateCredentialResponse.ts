// Original file: proto/tsem/v1/tsem.proto


export interface ActivateCredentialResponse {
  'secret'?: (Buffer | Uint8Array | string);
}

export interface ActivateCredentialResponse__Output {
  'secret': (Buffer);
}
