// Original file: proto/tsem/v1/tsem.proto

import type { Mode as _tsem_v1_Mode, Mode__Output as _tsem_v1_Mode__Output } from '../../tsem/v1/Mode.js';
import type { Long } from '@grpc/proto-loader';

export interface SetConvergenceRequest {
  'name'?: (string);
  'window_events'?: (number | string | Long);
  'window_ms'?: (number | string | Long);
  'auto_seal_after'?: (number);
  'auto_seal_mode'?: (_tsem_v1_Mode);
}

export interface SetConvergenceRequest__Output {
  'name': (string);
  'window_events': (string);
  'window_ms': (string);
  'auto_seal_after': (number);
  'auto_seal_mode': (_tsem_v1_Mode__Output);
}
