// Original file: proto/tsem/v1/tsem.proto


export interface AttestationKeyRequest {
}

export interface AttestationKeyRequest__Output {
}
