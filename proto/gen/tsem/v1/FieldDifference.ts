// Original file: proto/tsem/v1/tsem.proto


export interface FieldDifference {
  'field'?: (string);
  'value'?: (string);
  'nearest_value'?: (string);
  'value_present'?: (boolean);
  'nearest_present'?: (boolean);
}

export interface FieldDifference__Output {
  'field': (string);
  'value': (string);
  'nearest_value': (string);
  'value_present': (boolean);
  'nearest_present': (boolean);
}
