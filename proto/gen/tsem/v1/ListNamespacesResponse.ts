// Original file: proto/tsem/v1/tsem.proto

import type { NamespaceInfo as _tsem_v1_NamespaceInfo, NamespaceInfo__Output as _tsem_v1_NamespaceInfo__Output } from '../../tsem/v1/NamespaceInfo.js';

export interface ListNamespacesResponse {
  'namespaces'?: (_tsem_v1_NamespaceInfo)[];
}

export interface ListNamespacesResponse__Output {
  'namespaces': (_tsem_v1_NamespaceInfo__Output)[];
}
