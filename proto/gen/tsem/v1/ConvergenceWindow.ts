// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface ConvergenceWindow {
  'events_end'?: (number | string | Long);
  'events'?: (number | string | Long);
  'new_points'?: (number | string | Long);
  'start_ms'?: (number | string | Long);
  'end_ms'?: (number | string | Long);
}

export interface ConvergenceWindow__Output {
  'events_end': (string);
  'events': (string);
  'new_points': (string);
  'start_ms': (string);
  'end_ms': (string);
}
