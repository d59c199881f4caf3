// Original file: proto/tsem/v1/tsem.proto

import type { EventNotice as _tsem_v1_EventNotice, EventNotice__Output as _tsem_v1_EventNotice__Output } from '../../tsem/v1/EventNotice.js';
import type { Dropped as _tsem_v1_Dropped, Dropped__Output as _tsem_v1_Dropped__Output } from '../../tsem/v1/Dropped.js';
import type { Gap as _tsem_v1_Gap, Gap__Output as _tsem_v1_Gap__Output } from '../../tsem/v1/Gap.js';

export interface MonitorMessage {
  'event'?: (_tsem_v1_EventNotice | null);
  'dropped'?: (_tsem_v1_Dropped | null);
  'gap'?: (_tsem_v1_Gap | null);
  'msg'?: "event"|"dropped"|"gap";
}

export interface MonitorMessage__Output {
  'event'?: (_tsem_v1_EventNotice__Output | null);
  'dropped'?: (_tsem_v1_Dropped__Output | null);
  'gap'?: (_tsem_v1_Gap__Output | null);
  'msg'?: "event"|"dropped"|"gap";
}
