// Original file: proto/tsem/v1/tsem.proto

import type { ExporterHello as _tsem_v1_ExporterHello, ExporterHello__Output as _tsem_v1_ExporterHello__Output } from '../../tsem/v1/ExporterHello.js';
import type { EventBatch as _tsem_v1_EventBatch, EventBatch__Output as _tsem_v1_EventBatch__Output } from '../../tsem/v1/EventBatch.js';

export interface IngestRequest {
  'hello'?: (_tsem_v1_ExporterHello | null);
  'batch'?: (_tsem_v1_EventBatch | null);
  'msg'?: "hello"|"batch";
}

export interface IngestRequest__Output {
  'hello'?: (_tsem_v1_ExporterHello__Output | null);
  'batch'?: (_tsem_v1_EventBatch__Output | null);
  'msg'?: "hello"|"batch";
}
