// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface ListIncidentsRequest {
  'namespace'?: (string);
  'since_ms'?: (number | string | Long);
  'limit'?: (number);
  'open_only'?: (boolean);
}

export interface ListIncidentsRequest__Output {
  'namespace': (string);
  'since_ms': (string);
  'limit': (number);
  'open_only': (boolean);
}
