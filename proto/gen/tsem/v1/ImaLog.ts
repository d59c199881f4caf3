// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface ImaLog {
  'log'?: (Buffer | Uint8Array | string);
  'entries'?: (number | string | Long);
  'pcr10'?: (string);
}

export interface ImaLog__Output {
  'log': (Buffer);
  'entries': (string);
  'pcr10': (string);
}
