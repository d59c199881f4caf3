// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface Gap {
  'namespace'?: (string);
  'first_seq'?: (number | string | Long);
  'last_seq'?: (number | string | Long);
}

export interface Gap__Output {
  'namespace': (string);
  'first_seq': (string);
  'last_seq': (string);
}
