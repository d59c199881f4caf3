// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface Entry {
  'coefficient'?: (string);
  'event_json'?: (string);
  'count'?: (number | string | Long);
  'seq'?: (number | string | Long);
  'reason'?: (string);
}

export interface Entry__Output {
  'coefficient': (string);
  'event_json': (string);
  'count': (string);
  'seq': (string);
  'reason': (string);
}
