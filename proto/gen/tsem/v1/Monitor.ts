// Original file: proto/tsem/v1/tsem.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { MonitorMessage as _tsem_v1_MonitorMessage, MonitorMessage__Output as _tsem_v1_MonitorMessage__Output } from '../../tsem/v1/MonitorMessage.js';
import type { SubscribeRequest as _tsem_v1_SubscribeRequest, SubscribeRequest__Output as _tsem_v1_SubscribeRequest__Output } from '../../tsem/v1/SubscribeRequest.js';

export interface MonitorClient extends grpc.Client {
  Subscribe(argument: _tsem_v1_SubscribeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tsem_v1_MonitorMessage__Output>;
  Subscribe(argument: _tsem_v1_SubscribeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tsem_v1_MonitorMessage__Output>;
  subscribe(argument: _tsem_v1_SubscribeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tsem_v1_MonitorMessage__Output>;
  subscribe(argument: _tsem_v1_SubscribeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tsem_v1_MonitorMessage__Output>;
  
}

export interface MonitorHandlers extends grpc.UntypedServiceImplementation {
  Subscribe: grpc.handleServerStreamingCall<_tsem_v1_SubscribeRequest__Output, _tsem_v1_MonitorMessage>;
  
}

export interface MonitorDefinition extends grpc.ServiceDefinition {
  Subscribe: MethodDefinition<_tsem_v1_SubscribeRequest, _tsem_v1_MonitorMessage, _tsem_v1_SubscribeRequest__Output, _tsem_v1_MonitorMessage__Output>
}
