// Original file: proto/tsem/v1/tsem.proto

import type { Event as _tsem_v1_Event, Event__Output as _tsem_v1_Event__Output } from '../../tsem/v1/Event.js';
import type { LineBlock as _tsem_v1_LineBlock, LineBlock__Output as _tsem_v1_LineBlock__Output } from '../../tsem/v1/LineBlock.js';
import type { SourceDrop as _tsem_v1_SourceDrop, SourceDrop__Output as _tsem_v1_SourceDrop__Output } from '../../tsem/v1/SourceDrop.js';
import type { Long } from '@grpc/proto-loader';

export interface EventBatch {
  'batch_id'?: (number | string | Long);
  'events'?: (_tsem_v1_Event)[];
  'lines'?: (_tsem_v1_LineBlock | null);
  'first_seq'?: (number | string | Long);
  'drops'?: (_tsem_v1_SourceDrop)[];
  'early_verdicts'?: (boolean);
}

export interface EventBatch__Output {
  'batch_id': (string);
  'events': (_tsem_v1_Event__Output)[];
  'lines': (_tsem_v1_LineBlock__Output | null);
  'first_seq': (string);
  'drops': (_tsem_v1_SourceDrop__Output)[];
  'early_verdicts': (boolean);
}
