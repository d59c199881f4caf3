// Original file: proto/tsem/v1/tsem.proto

import type { Verdict as _tsem_v1_Verdict, Verdict__Output as _tsem_v1_Verdict__Output } from '../../tsem/v1/Verdict.js';
import type { PackedVerdicts as _tsem_v1_PackedVerdicts, PackedVerdicts__Output as _tsem_v1_PackedVerdicts__Output } from '../../tsem/v1/PackedVerdicts.js';
import type { Long } from '@grpc/proto-loader';

export interface BatchResult {
  'batch_id'?: (number | string | Long);
  'verdicts'?: (_tsem_v1_Verdict)[];
  'packed'?: (_tsem_v1_PackedVerdicts | null);
  'decided_epoch'?: (number | string | Long);
}

export interface BatchResult__Output {
  'batch_id': (string);
  'verdicts': (_tsem_v1_Verdict__Output)[];
  'packed': (_tsem_v1_PackedVerdicts__Output | null);
  'decided_epoch': (string);
}
