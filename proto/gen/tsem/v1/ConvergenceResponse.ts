// Original file: proto/tsem/v1/tsem.proto

import type { ConvergenceWindow as _tsem_v1_ConvergenceWindow, ConvergenceWindow__Output as _tsem_v1_ConvergenceWindow__Output } from '../../tsem/v1/ConvergenceWindow.js';
import type { Mode as _tsem_v1_Mode, Mode__Output as _tsem_v1_Mode__Output } from '../../tsem/v1/Mode.js';
import type { Long } from '@grpc/proto-loader';

export interface ConvergenceResponse {
  'windows'?: (_tsem_v1_ConvergenceWindow)[];
  'settled'?: (boolean);
  'window_events'?: (number | string | Long);
  'window_ms'?: (number | string | Long);
  'auto_seal_after'?: (number);
  'auto_seal_mode'?: (_tsem_v1_Mode);
  'quiet_windows'?: (number);
  'mode'?: (_tsem_v1_Mode);
}

export interface ConvergenceResponse__Output {
  'windows': (_tsem_v1_ConvergenceWindow__Output)[];
  'settled': (boolean);
  'window_events': (string);
  'window_ms': (string);
  'auto_seal_after': (number);
  'auto_seal_mode': (_tsem_v1_Mode__Output);
  'quiet_windows': (number);
  'mode': (_tsem_v1_Mode__Output);
}
