// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface ImaPolicy {
  'name'?: (string);
  'policy'?: (string);
  'rules'?: (number);
  'source'?: (string);
  'set_by'?: (string);
  'set_at_ms'?: (number | string | Long);
}

export interface ImaPolicy__Output {
  'name': (string);
  'policy': (string);
  'rules': (number);
  'source': (string);
  'set_by': (string);
  'set_at_ms': (string);
}
