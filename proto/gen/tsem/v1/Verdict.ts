// Original file: proto/tsem/v1/tsem.proto

import type { VerdictKind as _tsem_v1_VerdictKind, VerdictKind__Output as _tsem_v1_VerdictKind__Output } from '../../tsem/v1/VerdictKind.js';
import type { Action as _tsem_v1_Action, Action__Output as _tsem_v1_Action__Output } from '../../tsem/v1/Action.js';
import type { Long } from '@grpc/proto-loader';

export interface Verdict {
  'kind'?: (_tsem_v1_VerdictKind);
  'action'?: (_tsem_v1_Action);
  'coefficient'?: (Buffer | Uint8Array | string);
  'task_id'?: (Buffer | Uint8Array | string);
  'seq'?: (number | string | Long);
  'error'?: (string);
  'cacheable'?: (boolean);
}

export interface Verdict__Output {
  'kind': (_tsem_v1_VerdictKind__Output);
  'action': (_tsem_v1_Action__Output);
  'coefficient': (Buffer);
  'task_id': (Buffer);
  'seq': (string);
  'error': (string);
  'cacheable': (boolean);
}
