// Original file: proto/tsem/v1/tsem.proto

import type { Mode as _tsem_v1_Mode, Mode__Output as _tsem_v1_Mode__Output } from '../../tsem/v1/Mode.js';

export interface SetModeRequest {
  'name'?: (string);
  'mode'?: (_tsem_v1_Mode);
}

export interface SetModeRequest__Output {
  'name': (string);
  'mode': (_tsem_v1_Mode__Output);
}
