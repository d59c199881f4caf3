// Original file: proto/tsem/v1/tsem.proto

import type { BatchResult as _tsem_v1_BatchResult, BatchResult__Output as _tsem_v1_BatchResult__Output } from '../../tsem/v1/BatchResult.js';
import type { BatchVerdicts as _tsem_v1_BatchVerdicts, BatchVerdicts__Output as _tsem_v1_BatchVerdicts__Output } from '../../tsem/v1/BatchVerdicts.js';
import type { DecisionsChanged as _tsem_v1_DecisionsChanged, DecisionsChanged__Output as _tsem_v1_DecisionsChanged__Output } from '../../tsem/v1/DecisionsChanged.js';

export interface IngestResponse {
  'result'?: (_tsem_v1_BatchResult | null);
  'verdicts'?: (_tsem_v1_BatchVerdicts | null);
  'decisions_changed'?: (_tsem_v1_DecisionsChanged | null);
  'msg'?: "result"|"verdicts"|"decisions_changed";
}

export interface IngestResponse__Output {
  'result'?: (_tsem_v1_BatchResult__Output | null);
  'verdicts'?: (_tsem_v1_BatchVerdicts__Output | null);
  'decisions_changed'?: (_tsem_v1_DecisionsChanged__Output | null);
  'msg'?: "result"|"verdicts"|"decisions_changed";
}
