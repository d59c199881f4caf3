// Original file: proto/tsem/v1/tsem.proto

import type { Point as _tsem_v1_Point, Point__Output as _tsem_v1_Point__Output } from '../../tsem/v1/Point.js';
import type { Neighbor as _tsem_v1_Neighbor, Neighbor__Output as _tsem_v1_Neighbor__Output } from '../../tsem/v1/Neighbor.js';
import type { Long } from '@grpc/proto-loader';

export interface Explanation {
  'point'?: (_tsem_v1_Point | null);
  'nearest'?: (_tsem_v1_Neighbor)[];
  'compared'?: (number | string | Long);
  'undescribed'?: (number | string | Long);
}

export interface Explanation__Output {
  'point': (_tsem_v1_Point__Output | null);
  'nearest': (_tsem_v1_Neighbor__Output)[];
  'compared': (string);
  'undescribed': (string);
}
