// Original file: proto/tsem/v1/tsem.proto

import type { PointStatus as _tsem_v1_PointStatus, PointStatus__Output as _tsem_v1_PointStatus__Output } from '../../tsem/v1/PointStatus.js';

export interface AcceptedPoint {
  'coefficient'?: (string);
  'was'?: (_tsem_v1_PointStatus);
}

export interface AcceptedPoint__Output {
  'coefficient': (string);
  'was': (_tsem_v1_PointStatus__Output);
}
