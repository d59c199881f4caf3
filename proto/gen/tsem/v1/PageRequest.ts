// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface PageRequest {
  'name'?: (string);
  'offset'?: (number | string | Long);
  'limit'?: (number);
  'max_bytes'?: (number);
}

export interface PageRequest__Output {
  'name': (string);
  'offset': (string);
  'limit': (number);
  'max_bytes': (number);
}
