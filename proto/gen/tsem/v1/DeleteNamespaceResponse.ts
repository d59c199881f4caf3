// Original file: proto/tsem/v1/tsem.proto


export interface DeleteNamespaceResponse {
}

export interface DeleteNamespaceResponse__Output {
}
