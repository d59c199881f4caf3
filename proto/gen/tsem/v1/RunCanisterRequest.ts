// Original file: proto/tsem/v1/tsem.proto

import type { CanisterStart as _tsem_v1_CanisterStart, CanisterStart__Output as _tsem_v1_CanisterStart__Output } from '../../tsem/v1/CanisterStart.js';
import type { CanisterFinish as _tsem_v1_CanisterFinish, CanisterFinish__Output as _tsem_v1_CanisterFinish__Output } from '../../tsem/v1/CanisterFinish.js';
import type { CanisterLaunched as _tsem_v1_CanisterLaunched, CanisterLaunched__Output as _tsem_v1_CanisterLaunched__Output } from '../../tsem/v1/CanisterLaunched.js';

export interface RunCanisterRequest {
  'start'?: (_tsem_v1_CanisterStart | null);
  'finish'?: (_tsem_v1_CanisterFinish | null);
  'launched'?: (_tsem_v1_CanisterLaunched | null);
  'msg'?: "start"|"finish"|"launched";
}

export interface RunCanisterRequest__Output {
  'start'?: (_tsem_v1_CanisterStart__Output | null);
  'finish'?: (_tsem_v1_CanisterFinish__Output | null);
  'launched'?: (_tsem_v1_CanisterLaunched__Output | null);
  'msg'?: "start"|"finish"|"launched";
}
