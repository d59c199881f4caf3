// Original file: proto/tsem/v1/tsem.proto

import type { NamespaceInfo as _tsem_v1_NamespaceInfo, NamespaceInfo__Output as _tsem_v1_NamespaceInfo__Output } from '../../tsem/v1/NamespaceInfo.js';

export interface CanisterStarted {
  'namespace'?: (_tsem_v1_NamespaceInfo | null);
  'created'?: (boolean);
  'model_source'?: (string);
}

export interface CanisterStarted__Output {
  'namespace': (_tsem_v1_NamespaceInfo__Output | null);
  'created': (boolean);
  'model_source': (string);
}
