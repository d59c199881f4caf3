// Original file: proto/tsem/v1/tsem.proto

import type { CanisterInfo as _tsem_v1_CanisterInfo, CanisterInfo__Output as _tsem_v1_CanisterInfo__Output } from '../../tsem/v1/CanisterInfo.js';

export interface ListCanistersResponse {
  'canisters'?: (_tsem_v1_CanisterInfo)[];
}

export interface ListCanistersResponse__Output {
  'canisters': (_tsem_v1_CanisterInfo__Output)[];
}
