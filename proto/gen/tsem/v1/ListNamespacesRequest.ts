// Original file: proto/tsem/v1/tsem.proto


export interface ListNamespacesRequest {
}

export interface ListNamespacesRequest__Output {
}
