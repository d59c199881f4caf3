// Original file: proto/tsem/v1/tsem.proto

import type { Point as _tsem_v1_Point, Point__Output as _tsem_v1_Point__Output } from '../../tsem/v1/Point.js';

export interface PointsResponse {
  'points'?: (_tsem_v1_Point)[];
}

export interface PointsResponse__Output {
  'points': (_tsem_v1_Point__Output)[];
}
