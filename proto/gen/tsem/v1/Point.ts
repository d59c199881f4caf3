// Original file: proto/tsem/v1/tsem.proto

import type { PointStatus as _tsem_v1_PointStatus, PointStatus__Output as _tsem_v1_PointStatus__Output } from '../../tsem/v1/PointStatus.js';
import type { PointDescription as _tsem_v1_PointDescription, PointDescription__Output as _tsem_v1_PointDescription__Output } from '../../tsem/v1/PointDescription.js';
import type { Long } from '@grpc/proto-loader';

export interface Point {
  'coefficient'?: (string);
  'count'?: (number | string | Long);
  'valid'?: (boolean);
  'first_seen_ms'?: (number | string | Long);
  'last_seen_ms'?: (number | string | Long);
  'status'?: (_tsem_v1_PointStatus);
  'description'?: (_tsem_v1_PointDescription | null);
}

export interface Point__Output {
  'coefficient': (string);
  'count': (string);
  'valid': (boolean);
  'first_seen_ms': (string);
  'last_seen_ms': (string);
  'status': (_tsem_v1_PointStatus__Output);
  'description': (_tsem_v1_PointDescription__Output | null);
}
