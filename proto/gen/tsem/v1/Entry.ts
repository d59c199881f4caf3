// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface Entry {
  'coefficient'?: (string);
  'event_json'?: (string);
  'count'?: (number | string | Long);
}

export interface Entry__Output {
  'coefficient': (string);
  'event_json': (string);
  'count': (string);
}
