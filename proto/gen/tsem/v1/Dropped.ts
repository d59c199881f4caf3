// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface Dropped {
  'count'?: (number | string | Long);
  'cause'?: (string);
  'host'?: (string);
  'exporter'?: (string);
}

export interface Dropped__Output {
  'count': (string);
  'cause': (string);
  'host': (string);
  'exporter': (string);
}
