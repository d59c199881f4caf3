// Original file: proto/tsem/v1/tsem.proto

import type { Point as _tsem_v1_Point, Point__Output as _tsem_v1_Point__Output } from '../../tsem/v1/Point.js';
import type { Long } from '@grpc/proto-loader';

export interface ListFindingsResponse {
  'findings'?: (_tsem_v1_Point)[];
  'total'?: (number | string | Long);
  'audit_findings'?: (number | string | Long);
  'forensic_points'?: (number | string | Long);
}

export interface ListFindingsResponse__Output {
  'findings': (_tsem_v1_Point__Output)[];
  'total': (string);
  'audit_findings': (string);
  'forensic_points': (string);
}
