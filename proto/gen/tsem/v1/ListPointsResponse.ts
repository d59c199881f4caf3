// Original file: proto/tsem/v1/tsem.proto

import type { Point as _tsem_v1_Point, Point__Output as _tsem_v1_Point__Output } from '../../tsem/v1/Point.js';
import type { Long } from '@grpc/proto-loader';

export interface ListPointsResponse {
  'points'?: (_tsem_v1_Point)[];
  'total'?: (number | string | Long);
}

export interface ListPointsResponse__Output {
  'points': (_tsem_v1_Point__Output)[];
  'total': (string);
}
