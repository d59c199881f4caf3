// Original file: proto/tsem/v1/tsem.proto

import type { Point as _tsem_v1_Point, Point__Output as _tsem_v1_Point__Output } from '../../tsem/v1/Point.js';
import type { FieldDifference as _tsem_v1_FieldDifference, FieldDifference__Output as _tsem_v1_FieldDifference__Output } from '../../tsem/v1/FieldDifference.js';

export interface Neighbor {
  'point'?: (_tsem_v1_Point | null);
  'same_type'?: (boolean);
  'same_process'?: (boolean);
  'differing'?: (number);
  'differences'?: (_tsem_v1_FieldDifference)[];
}

export interface Neighbor__Output {
  'point': (_tsem_v1_Point__Output | null);
  'same_type': (boolean);
  'same_process': (boolean);
  'differing': (number);
  'differences': (_tsem_v1_FieldDifference__Output)[];
}
