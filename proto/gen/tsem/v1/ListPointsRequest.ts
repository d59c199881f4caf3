// Original file: proto/tsem/v1/tsem.proto

import type { PointFilter as _tsem_v1_PointFilter, PointFilter__Output as _tsem_v1_PointFilter__Output } from '../../tsem/v1/PointFilter.js';
import type { Long } from '@grpc/proto-loader';

export interface ListPointsRequest {
  'name'?: (string);
  'offset'?: (number | string | Long);
  'limit'?: (number);
  'filter'?: (_tsem_v1_PointFilter);
  'descriptions'?: (boolean);
}

export interface ListPointsRequest__Output {
  'name': (string);
  'offset': (string);
  'limit': (number);
  'filter': (_tsem_v1_PointFilter__Output);
  'descriptions': (boolean);
}
