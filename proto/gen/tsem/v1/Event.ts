// Original file: proto/tsem/v1/tsem.proto

import type { StructuredEvent as _tsem_v1_StructuredEvent, StructuredEvent__Output as _tsem_v1_StructuredEvent__Output } from '../../tsem/v1/StructuredEvent.js';
import type { Long } from '@grpc/proto-loader';

export interface Event {
  'namespace'?: (string);
  'host'?: (string);
  'structured'?: (_tsem_v1_StructuredEvent | null);
  'kernel_json'?: (Buffer | Uint8Array | string);
  'cgroup_id'?: (number | string | Long);
  'body'?: "structured"|"kernel_json";
}

export interface Event__Output {
  'namespace': (string);
  'host': (string);
  'structured'?: (_tsem_v1_StructuredEvent__Output | null);
  'kernel_json'?: (Buffer);
  'cgroup_id': (string);
  'body'?: "structured"|"kernel_json";
}
