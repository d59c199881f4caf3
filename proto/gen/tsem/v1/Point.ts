// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface Point {
  'coefficient'?: (string);
  'count'?: (number | string | Long);
  'valid'?: (boolean);
}

export interface Point__Output {
  'coefficient': (string);
  'count': (string);
  'valid': (boolean);
}
