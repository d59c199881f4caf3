// Original file: proto/tsem/v1/tsem.proto

import type { ConvergenceWindow as _tsem_v1_ConvergenceWindow, ConvergenceWindow__Output as _tsem_v1_ConvergenceWindow__Output } from '../../tsem/v1/ConvergenceWindow.js';
import type { Long } from '@grpc/proto-loader';

export interface ConvergenceResponse {
  'windows'?: (_tsem_v1_ConvergenceWindow)[];
  'settled'?: (boolean);
  'window_events'?: (number | string | Long);
}

export interface ConvergenceResponse__Output {
  'windows': (_tsem_v1_ConvergenceWindow__Output)[];
  'settled': (boolean);
  'window_events': (string);
}
