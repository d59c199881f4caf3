// Original file: proto/tsem/v1/tsem.proto

import type { StructuredEvent as _tsem_v1_StructuredEvent, StructuredEvent__Output as _tsem_v1_StructuredEvent__Output } from '../../tsem/v1/StructuredEvent.js';

export interface Event {
  'namespace'?: (string);
  'host'?: (string);
  'structured'?: (_tsem_v1_StructuredEvent | null);
  'kernel_json'?: (Buffer | Uint8Array | string);
  'body'?: "structured"|"kernel_json";
}

export interface Event__Output {
  'namespace': (string);
  'host': (string);
  'structured'?: (_tsem_v1_StructuredEvent__Output | null);
  'kernel_json'?: (Buffer);
  'body'?: "structured"|"kernel_json";
}
