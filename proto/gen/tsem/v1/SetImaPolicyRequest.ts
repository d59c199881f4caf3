// Original file: proto/tsem/v1/tsem.proto


export interface SetImaPolicyRequest {
  'name'?: (string);
  'policy'?: (string);
}

export interface SetImaPolicyRequest__Output {
  'name': (string);
  'policy': (string);
}
