// Original file: proto/tsem/v1/tsem.proto


export interface SaveLabelModelRequest {
  'label'?: (string);
  'model'?: (string);
  'namespace'?: (string);
  'digest'?: (string);
  'dialect'?: (string);
  'signature'?: (string);
}

export interface SaveLabelModelRequest__Output {
  'label': (string);
  'model': (string);
  'namespace': (string);
  'digest': (string);
  'dialect': (string);
  'signature': (string);
}
