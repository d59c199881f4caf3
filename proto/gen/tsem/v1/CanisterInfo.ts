// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface CanisterInfo {
  'host'?: (string);
  'cgroup_id'?: (number | string | Long);
  'cgroup_path'?: (string);
  'namespace'?: (string);
  'label'?: (string);
  'command'?: (string);
  'started_ms'?: (number | string | Long);
  'finished_ms'?: (number | string | Long);
  'events'?: (number | string | Long);
}

export interface CanisterInfo__Output {
  'host': (string);
  'cgroup_id': (string);
  'cgroup_path': (string);
  'namespace': (string);
  'label': (string);
  'command': (string);
  'started_ms': (string);
  'finished_ms': (string);
  'events': (string);
}
