// Original file: proto/tsem/v1/tsem.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { IngestRequest as _tsem_v1_IngestRequest, IngestRequest__Output as _tsem_v1_IngestRequest__Output } from '../../tsem/v1/IngestRequest.js';
import type { IngestResponse as _tsem_v1_IngestResponse, IngestResponse__Output as _tsem_v1_IngestResponse__Output } from '../../tsem/v1/IngestResponse.js';

export interface IngestClient extends grpc.Client {
  Stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_tsem_v1_IngestRequest, _tsem_v1_IngestResponse__Output>;
  Stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_tsem_v1_IngestRequest, _tsem_v1_IngestResponse__Output>;
  stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_tsem_v1_IngestRequest, _tsem_v1_IngestResponse__Output>;
  stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_tsem_v1_IngestRequest, _tsem_v1_IngestResponse__Output>;
  
}

export interface IngestHandlers extends grpc.UntypedServiceImplementation {
  Stream: grpc.handleBidiStreamingCall<_tsem_v1_IngestRequest__Output, _tsem_v1_IngestResponse>;
  
}

export interface IngestDefinition extends grpc.ServiceDefinition {
  Stream: MethodDefinition<_tsem_v1_IngestRequest, _tsem_v1_IngestResponse, _tsem_v1_IngestRequest__Output, _tsem_v1_IngestResponse__Output>
}
