// Original file: proto/tsem/v1/tsem.proto


export interface LineBlock {
  'namespace'?: (string);
  'host'?: (string);
  'kernel_lines'?: (Buffer | Uint8Array | string);
}

export interface LineBlock__Output {
  'namespace': (string);
  'host': (string);
  'kernel_lines': (Buffer);
}
