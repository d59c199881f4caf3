// Original file: proto/tsem/v1/tsem.proto


export interface ModelText {
  'model'?: (string);
}

export interface ModelText__Output {
  'model': (string);
}
