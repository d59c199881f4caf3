// Original file: proto/tsem/v1/tsem.proto

import type { Long } from '@grpc/proto-loader';

export interface ResumePoint {
  'namespace'?: (string);
  'after_seq'?: (number | string | Long);
}

export interface ResumePoint__Output {
  'namespace': (string);
  'after_seq': (string);
}
