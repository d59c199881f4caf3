// Original file: proto/tsem/v1/tsem.proto

import type { LabelInfo as _tsem_v1_LabelInfo, LabelInfo__Output as _tsem_v1_LabelInfo__Output } from '../../tsem/v1/LabelInfo.js';

export interface GetLabelModelResponse {
  'label'?: (_tsem_v1_LabelInfo | null);
  'model'?: (string);
  'signature'?: (string);
}

export interface GetLabelModelResponse__Output {
  'label': (_tsem_v1_LabelInfo__Output | null);
  'model': (string);
  'signature': (string);
}
