// Original file: proto/tsem/v1/tsem.proto


export interface DeleteLabelRequest {
  'label'?: (string);
}

export interface DeleteLabelRequest__Output {
  'label': (string);
}
