// Original file: proto/tsem/v1/tsem.proto

import type { LabelInfo as _tsem_v1_LabelInfo, LabelInfo__Output as _tsem_v1_LabelInfo__Output } from '../../tsem/v1/LabelInfo.js';

export interface ListLabelsResponse {
  'labels'?: (_tsem_v1_LabelInfo)[];
}

export interface ListLabelsResponse__Output {
  'labels': (_tsem_v1_LabelInfo__Output)[];
}
