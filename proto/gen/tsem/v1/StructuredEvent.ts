// Original file: proto/tsem/v1/tsem.proto

import type { EventHeader as _tsem_v1_EventHeader, EventHeader__Output as _tsem_v1_EventHeader__Output } from '../../tsem/v1/EventHeader.js';
import type { Coe as _tsem_v1_Coe, Coe__Output as _tsem_v1_Coe__Output } from '../../tsem/v1/Coe.js';

export interface StructuredEvent {
  'header'?: (_tsem_v1_EventHeader | null);
  'coe'?: (_tsem_v1_Coe | null);
  'cell_json'?: (Buffer | Uint8Array | string);
  'file_digest'?: (string);
}

export interface StructuredEvent__Output {
  'header': (_tsem_v1_EventHeader__Output | null);
  'coe': (_tsem_v1_Coe__Output | null);
  'cell_json': (Buffer);
  'file_digest': (string);
}
