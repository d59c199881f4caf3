// Original file: proto/tsem/v1/tsem.proto

import type { VerdictKind as _tsem_v1_VerdictKind, VerdictKind__Output as _tsem_v1_VerdictKind__Output } from '../../tsem/v1/VerdictKind.js';
import type { ResumePoint as _tsem_v1_ResumePoint, ResumePoint__Output as _tsem_v1_ResumePoint__Output } from '../../tsem/v1/ResumePoint.js';

export interface SubscribeRequest {
  'namespaces'?: (string)[];
  'event_types'?: (string)[];
  'verdicts'?: (_tsem_v1_VerdictKind)[];
  'off_contour_only'?: (boolean);
  'process_patterns'?: (string)[];
  'task_ids'?: (string)[];
  'queue_size'?: (number);
  'resume'?: (_tsem_v1_ResumePoint)[];
}

export interface SubscribeRequest__Output {
  'namespaces': (string)[];
  'event_types': (string)[];
  'verdicts': (_tsem_v1_VerdictKind__Output)[];
  'off_contour_only': (boolean);
  'process_patterns': (string)[];
  'task_ids': (string)[];
  'queue_size': (number);
  'resume': (_tsem_v1_ResumePoint__Output)[];
}
