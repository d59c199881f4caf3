// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface Incident {
  'id'?: (string);
  'namespace'?: (string);
  'status'?: (string);
  'severity'?: (string);
  'title'?: (string);
  'opened_ms'?: (number | string | Long);
  'last_seen_ms'?: (number | string | Long);
  'closed_ms'?: (number | string | Long);
  'close_reason'?: (string);
  'events'?: (number | string | Long);
  'alerts'?: (number | string | Long);
  'denied'?: (number | string | Long);
  'root_task'?: (string);
  'json'?: (string);
}

export interface Incident__Output {
  'id': (string);
  'namespace': (string);
  'status': (string);
  'severity': (string);
  'title': (string);
  'opened_ms': (string);
  'last_seen_ms': (string);
  'closed_ms': (string);
  'close_reason': (string);
  'events': (string);
  'alerts': (string);
  'denied': (string);
  'root_task': (string);
  'json': (string);
}
