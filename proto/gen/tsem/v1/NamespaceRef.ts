// Original file: proto/tsem/v1/tsem.proto


export interface NamespaceRef {
  'name'?: (string);
}

export interface NamespaceRef__Output {
  'name': (string);
}
