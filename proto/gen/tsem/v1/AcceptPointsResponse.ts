// Original file: proto/tsem/v1/tsem.proto

import type { AcceptedPoint as _tsem_v1_AcceptedPoint, AcceptedPoint__Output as _tsem_v1_AcceptedPoint__Output } from '../../tsem/v1/AcceptedPoint.js';
import type { NamespaceInfo as _tsem_v1_NamespaceInfo, NamespaceInfo__Output as _tsem_v1_NamespaceInfo__Output } from '../../tsem/v1/NamespaceInfo.js';

export interface AcceptPointsResponse {
  'accepted'?: (_tsem_v1_AcceptedPoint)[];
  'namespace'?: (_tsem_v1_NamespaceInfo | null);
}

export interface AcceptPointsResponse__Output {
  'accepted': (_tsem_v1_AcceptedPoint__Output)[];
  'namespace': (_tsem_v1_NamespaceInfo__Output | null);
}
