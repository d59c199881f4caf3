// Original file: proto/tsem/v1/tsem.proto


export interface GetLabelModelRequest {
  'label'?: (string);
}

export interface GetLabelModelRequest__Output {
  'label': (string);
}
