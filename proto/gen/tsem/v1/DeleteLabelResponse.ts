// Original file: proto/tsem/v1/tsem.proto


export interface DeleteLabelResponse {
}

export interface DeleteLabelResponse__Output {
}
