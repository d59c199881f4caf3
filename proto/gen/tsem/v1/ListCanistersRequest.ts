// Original file: proto/tsem/v1/tsem.proto


export interface ListCanistersRequest {
}

export interface ListCanistersRequest__Output {
}
