// Original file: proto/tsem/v1/tsem.proto


export interface ExplainRequest {
  'name'?: (string);
  'coefficient'?: (string);
  'nearest'?: (number);
}

export interface ExplainRequest__Output {
  'name': (string);
  'coefficient': (string);
  'nearest': (number);
}
