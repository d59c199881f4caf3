// Original file: proto/tsem/v1/tsem.proto

import type { ImaKey as _tsem_v1_ImaKey, ImaKey__Output as _tsem_v1_ImaKey__Output } from '../../tsem/v1/ImaKey.js';

export interface ImaKeyring {
  'name'?: (string);
  'own'?: (boolean);
  'keys'?: (_tsem_v1_ImaKey)[];
}

export interface ImaKeyring__Output {
  'name': (string);
  'own': (boolean);
  'keys': (_tsem_v1_ImaKey__Output)[];
}
