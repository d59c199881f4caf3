// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface Dropped {
  'count'?: (number | string | Long);
}

export interface Dropped__Output {
  'count': (string);
}
