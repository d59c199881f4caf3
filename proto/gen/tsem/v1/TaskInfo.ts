// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface TaskInfo {
  'key'?: (string);
  'task_id'?: (string);
  'p_task_id'?: (string);
  'trust'?: (string);
  'untrusted_seq'?: (number | string | Long);
  'untrusted_type'?: (string);
  'untrusted_coefficient'?: (string);
  'inherited_from'?: (string);
  'incident'?: (string);
  'untrusted_event'?: (string);
}

export interface TaskInfo__Output {
  'key': (string);
  'task_id': (string);
  'p_task_id': (string);
  'trust': (string);
  'untrusted_seq': (string);
  'untrusted_type': (string);
  'untrusted_coefficient': (string);
  'inherited_from': (string);
  'incident': (string);
  'untrusted_event': (string);
}
