// Original file: proto/tsem/v1/tsem.proto


export interface DescriptionField {
  'name'?: (string);
  'value'?: (string);
}

export interface DescriptionField__Output {
  'name': (string);
  'value': (string);
}
