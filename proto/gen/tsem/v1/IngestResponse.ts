// Original file: proto/tsem/v1/tsem.proto

import type { BatchResult as _tsem_v1_BatchResult, BatchResult__Output as _tsem_v1_BatchResult__Output } from '../../tsem/v1/BatchResult.js';
import type { BatchVerdicts as _tsem_v1_BatchVerdicts, BatchVerdicts__Output as _tsem_v1_BatchVerdicts__Output } from '../../tsem/v1/BatchVerdicts.js';

export interface IngestResponse {
  'result'?: (_tsem_v1_BatchResult | null);
  'verdicts'?: (_tsem_v1_BatchVerdicts | null);
  'msg'?: "result"|"verdicts";
}

export interface IngestResponse__Output {
  'result'?: (_tsem_v1_BatchResult__Output | null);
  'verdicts'?: (_tsem_v1_BatchVerdicts__Output | null);
  'msg'?: "result"|"verdicts";
}
