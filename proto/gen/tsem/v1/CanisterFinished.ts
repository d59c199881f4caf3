// Original file: proto/tsem/v1/tsem.proto

import type { NamespaceInfo as _tsem_v1_NamespaceInfo, NamespaceInfo__Output as _tsem_v1_NamespaceInfo__Output } from '../../tsem/v1/NamespaceInfo.js';
import type { LabelInfo as _tsem_v1_LabelInfo, LabelInfo__Output as _tsem_v1_LabelInfo__Output } from '../../tsem/v1/LabelInfo.js';
import type { Long } from '@grpc/proto-loader';

export interface CanisterFinished {
  'namespace'?: (_tsem_v1_NamespaceInfo | null);
  'kept'?: (boolean);
  'label'?: (_tsem_v1_LabelInfo | null);
  'label_note'?: (string);
  'events'?: (number | string | Long);
  'removal_pending'?: (boolean);
}

export interface CanisterFinished__Output {
  'namespace': (_tsem_v1_NamespaceInfo__Output | null);
  'kept': (boolean);
  'label': (_tsem_v1_LabelInfo__Output | null);
  'label_note': (string);
  'events': (string);
  'removal_pending': (boolean);
}
