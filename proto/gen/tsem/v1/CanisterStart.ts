// Original file: proto/tsem/v1/tsem.proto

import type { Mode as _tsem_v1_Mode, Mode__Output as _tsem_v1_Mode__Output } from '../../tsem/v1/Mode.js';
import type { Long } from '@grpc/proto-loader';

export interface CanisterStart {
  'host'?: (string);
  'cgroup_id'?: (number | string | Long);
  'cgroup_path'?: (string);
  'namespace'?: (string);
  'label'?: (string);
  'mode'?: (_tsem_v1_Mode);
  'model'?: (string);
  'digest'?: (string);
  'command'?: (string);
  'model_signature'?: (string);
}

export interface CanisterStart__Output {
  'host': (string);
  'cgroup_id': (string);
  'cgroup_path': (string);
  'namespace': (string);
  'label': (string);
  'mode': (_tsem_v1_Mode__Output);
  'model': (string);
  'digest': (string);
  'command': (string);
  'model_signature': (string);
}
