// Original file: proto/tsem/v1/tsem.proto


export interface ListLabelsRequest {
}

export interface ListLabelsRequest__Output {
}
