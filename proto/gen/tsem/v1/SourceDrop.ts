// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface SourceDrop {
  'cause'?: (string);
  'count'?: (number | string | Long);
}

export interface SourceDrop__Output {
  'cause': (string);
  'count': (string);
}
