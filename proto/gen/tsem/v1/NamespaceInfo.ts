// Original file: proto/tsem/v1/tsem.proto

import type { Mode as _tsem_v1_Mode, Mode__Output as _tsem_v1_Mode__Output } from '../../tsem/v1/Mode.js';
import type { Long } from '@grpc/proto-loader';

export interface NamespaceInfo {
  'name'?: (string);
  'digest'?: (string);
  'nsref'?: (string);
  'mode'?: (_tsem_v1_Mode);
  'dialect'?: (string);
  'aggregate'?: (string);
  'base'?: (string);
  'measurement'?: (string);
  'state'?: (string);
  'points'?: (number | string | Long);
  'forensic_points'?: (number | string | Long);
  'trajectory_length'?: (number | string | Long);
  'forensics_length'?: (number | string | Long);
  'events'?: (number | string | Long);
  'untrusted_tasks'?: (number | string | Long);
  'audit_findings'?: (number | string | Long);
  'rejected_events'?: (number | string | Long);
  'require_signed_models'?: (boolean);
  'warnings'?: (string)[];
  'loaded_points'?: (number | string | Long);
  'promoted_points'?: (number | string | Long);
  'accepted_findings'?: (number | string | Long);
}

export interface NamespaceInfo__Output {
  'name': (string);
  'digest': (string);
  'nsref': (string);
  'mode': (_tsem_v1_Mode__Output);
  'dialect': (string);
  'aggregate': (string);
  'base': (string);
  'measurement': (string);
  'state': (string);
  'points': (string);
  'forensic_points': (string);
  'trajectory_length': (string);
  'forensics_length': (string);
  'events': (string);
  'untrusted_tasks': (string);
  'audit_findings': (string);
  'rejected_events': (string);
  'require_signed_models': (boolean);
  'warnings': (string)[];
  'loaded_points': (string);
  'promoted_points': (string);
  'accepted_findings': (string);
}
