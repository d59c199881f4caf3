// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface LabelInfo {
  'label'?: (string);
  'digest'?: (string);
  'dialect'?: (string);
  'points'?: (number | string | Long);
  'updated_ms'?: (number | string | Long);
  'source'?: (string);
  'signed'?: (boolean);
}

export interface LabelInfo__Output {
  'label': (string);
  'digest': (string);
  'dialect': (string);
  'points': (string);
  'updated_ms': (string);
  'source': (string);
  'signed': (boolean);
}
