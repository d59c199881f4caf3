// Original file: proto/tsem/v1/tsem.proto


export interface AcceptPointsRequest {
  'name'?: (string);
  'coefficients'?: (string)[];
  'all'?: (boolean);
}

export interface AcceptPointsRequest__Output {
  'name': (string);
  'coefficients': (string)[];
  'all': (boolean);
}
