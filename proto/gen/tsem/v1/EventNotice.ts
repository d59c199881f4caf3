// Original file: proto/tsem/v1/tsem.proto

import type { Verdict as _tsem_v1_Verdict, Verdict__Output as _tsem_v1_Verdict__Output } from '../../tsem/v1/Verdict.js';
import type { Long } from '@grpc/proto-loader';

export interface EventNotice {
  'namespace'?: (string);
  'host'?: (string);
  'exporter'?: (string);
  'type'?: (string);
  'process'?: (string);
  'pid'?: (string);
  'verdict'?: (_tsem_v1_Verdict | null);
  'event_json'?: (string);
  'time_ms'?: (number | string | Long);
  'alert'?: (boolean);
  'ima_json'?: (string);
  'records_json'?: (string);
  'landlock'?: (string);
}

export interface EventNotice__Output {
  'namespace': (string);
  'host': (string);
  'exporter': (string);
  'type': (string);
  'process': (string);
  'pid': (string);
  'verdict': (_tsem_v1_Verdict__Output | null);
  'event_json': (string);
  'time_ms': (string);
  'alert': (boolean);
  'ima_json': (string);
  'records_json': (string);
  'landlock': (string);
}
