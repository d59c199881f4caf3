// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface DecisionsChanged {
  'namespace'?: (string);
  'epoch'?: (number | string | Long);
}

export interface DecisionsChanged__Output {
  'namespace': (string);
  'epoch': (string);
}
