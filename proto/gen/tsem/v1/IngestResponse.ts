// Original file: proto/tsem/v1/tsem.proto

import type { BatchResult as _tsem_v1_BatchResult, BatchResult__Output as _tsem_v1_BatchResult__Output } from '../../tsem/v1/BatchResult.js';

export interface IngestResponse {
  'result'?: (_tsem_v1_BatchResult | null);
  'msg'?: "result";
}

export interface IngestResponse__Output {
  'result'?: (_tsem_v1_BatchResult__Output | null);
  'msg'?: "result";
}
