// Original file: proto/tsem/v1/tsem.proto

import type { Entry as _tsem_v1_Entry, Entry__Output as _tsem_v1_Entry__Output } from '../../tsem/v1/Entry.js';
import type { Long } from '@grpc/proto-loader';

export interface EntriesResponse {
  'entries'?: (_tsem_v1_Entry)[];
  'total'?: (number | string | Long);
}

export interface EntriesResponse__Output {
  'entries': (_tsem_v1_Entry__Output)[];
  'total': (string);
}
