// Original file: proto/tsem/v1/tsem.proto

import type { Event as _tsem_v1_Event, Event__Output as _tsem_v1_Event__Output } from '../../tsem/v1/Event.js';
import type { Long } from '@grpc/proto-loader';

export interface EventBatch {
  'batch_id'?: (number | string | Long);
  'events'?: (_tsem_v1_Event)[];
}

export interface EventBatch__Output {
  'batch_id': (string);
  'events': (_tsem_v1_Event__Output)[];
}
