// Original file: proto/tsem/v1/tsem.proto


export interface GetVersionRequest {
}

export interface GetVersionRequest__Output {
}
