// Original file: proto/tsem/v1/tsem.proto

import type { CanisterStarted as _tsem_v1_CanisterStarted, CanisterStarted__Output as _tsem_v1_CanisterStarted__Output } from '../../tsem/v1/CanisterStarted.js';
import type { CanisterFinished as _tsem_v1_CanisterFinished, CanisterFinished__Output as _tsem_v1_CanisterFinished__Output } from '../../tsem/v1/CanisterFinished.js';

export interface RunCanisterResponse {
  'started'?: (_tsem_v1_CanisterStarted | null);
  'finished'?: (_tsem_v1_CanisterFinished | null);
  'msg'?: "started"|"finished";
}

export interface RunCanisterResponse__Output {
  'started'?: (_tsem_v1_CanisterStarted__Output | null);
  'finished'?: (_tsem_v1_CanisterFinished__Output | null);
  'msg'?: "started"|"finished";
}
