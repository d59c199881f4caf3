// Original file: proto/tsem/v1/tsem.proto

import type { LineError as _tsem_v1_LineError, LineError__Output as _tsem_v1_LineError__Output } from '../../tsem/v1/LineError.js';

export interface PackedVerdicts {
  'kinds'?: (Buffer | Uint8Array | string);
  'actions'?: (Buffer | Uint8Array | string);
  'coefficients'?: (Buffer | Uint8Array | string);
  'digest_size'?: (number);
  'errors'?: (_tsem_v1_LineError)[];
}

export interface PackedVerdicts__Output {
  'kinds': (Buffer);
  'actions': (Buffer);
  'coefficients': (Buffer);
  'digest_size': (number);
  'errors': (_tsem_v1_LineError__Output)[];
}
