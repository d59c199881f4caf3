// Original file: proto/tsem/v1/tsem.proto

import type { Mode as _tsem_v1_Mode, Mode__Output as _tsem_v1_Mode__Output } from '../../tsem/v1/Mode.js';

export interface CreateNamespaceRequest {
  'name'?: (string);
  'digest'?: (string);
  'nsref'?: (string);
  'mode'?: (_tsem_v1_Mode);
  'dialect'?: (string);
  'require_signed_models'?: (boolean);
}

export interface CreateNamespaceRequest__Output {
  'name': (string);
  'digest': (string);
  'nsref': (string);
  'mode': (_tsem_v1_Mode__Output);
  'dialect': (string);
  'require_signed_models': (boolean);
}
