// Original file: proto/tsem/v1/tsem.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetVersionRequest as _tsem_v1_GetVersionRequest, GetVersionRequest__Output as _tsem_v1_GetVersionRequest__Output } from '../../tsem/v1/GetVersionRequest.js';
import type { ListIncidentsRequest as _tsem_v1_ListIncidentsRequest, ListIncidentsRequest__Output as _tsem_v1_ListIncidentsRequest__Output } from '../../tsem/v1/ListIncidentsRequest.js';
import type { ListIncidentsResponse as _tsem_v1_ListIncidentsResponse, ListIncidentsResponse__Output as _tsem_v1_ListIncidentsResponse__Output } from '../../tsem/v1/ListIncidentsResponse.js';
import type { ListTasksRequest as _tsem_v1_ListTasksRequest, ListTasksRequest__Output as _tsem_v1_ListTasksRequest__Output } from '../../tsem/v1/ListTasksRequest.js';
import type { ListTasksResponse as _tsem_v1_ListTasksResponse, ListTasksResponse__Output as _tsem_v1_ListTasksResponse__Output } from '../../tsem/v1/ListTasksResponse.js';
import type { ReleaseTaskRequest as _tsem_v1_ReleaseTaskRequest, ReleaseTaskRequest__Output as _tsem_v1_ReleaseTaskRequest__Output } from '../../tsem/v1/ReleaseTaskRequest.js';
import type { ReleaseTaskResponse as _tsem_v1_ReleaseTaskResponse, ReleaseTaskResponse__Output as _tsem_v1_ReleaseTaskResponse__Output } from '../../tsem/v1/ReleaseTaskResponse.js';
import type { VersionInfo as _tsem_v1_VersionInfo, VersionInfo__Output as _tsem_v1_VersionInfo__Output } from '../../tsem/v1/VersionInfo.js';

export interface OperationsClient extends grpc.Client {
  GetVersion(argument: _tsem_v1_GetVersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_VersionInfo__Output>): grpc.ClientUnaryCall;
  GetVersion(argument: _tsem_v1_GetVersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_VersionInfo__Output>): grpc.ClientUnaryCall;
  GetVersion(argument: _tsem_v1_GetVersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_VersionInfo__Output>): grpc.ClientUnaryCall;
  GetVersion(argument: _tsem_v1_GetVersionRequest, callback: grpc.requestCallback<_tsem_v1_VersionInfo__Output>): grpc.ClientUnaryCall;
  getVersion(argument: _tsem_v1_GetVersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_VersionInfo__Output>): grpc.ClientUnaryCall;
  getVersion(argument: _tsem_v1_GetVersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_VersionInfo__Output>): grpc.ClientUnaryCall;
  getVersion(argument: _tsem_v1_GetVersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_VersionInfo__Output>): grpc.ClientUnaryCall;
  getVersion(argument: _tsem_v1_GetVersionRequest, callback: grpc.requestCallback<_tsem_v1_VersionInfo__Output>): grpc.ClientUnaryCall;
  
  ListIncidents(argument: _tsem_v1_ListIncidentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  ListIncidents(argument: _tsem_v1_ListIncidentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  ListIncidents(argument: _tsem_v1_ListIncidentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  ListIncidents(argument: _tsem_v1_ListIncidentsRequest, callback: grpc.requestCallback<_tsem_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  listIncidents(argument: _tsem_v1_ListIncidentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  listIncidents(argument: _tsem_v1_ListIncidentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  listIncidents(argument: _tsem_v1_ListIncidentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  listIncidents(argument: _tsem_v1_ListIncidentsRequest, callback: grpc.requestCallback<_tsem_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  
  ListTasks(argument: _tsem_v1_ListTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  ListTasks(argument: _tsem_v1_ListTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  ListTasks(argument: _tsem_v1_ListTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  ListTasks(argument: _tsem_v1_ListTasksRequest, callback: grpc.requestCallback<_tsem_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _tsem_v1_ListTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _tsem_v1_ListTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _tsem_v1_ListTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _tsem_v1_ListTasksRequest, callback: grpc.requestCallback<_tsem_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  
  ReleaseTask(argument: _tsem_v1_ReleaseTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  ReleaseTask(argument: _tsem_v1_ReleaseTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  ReleaseTask(argument: _tsem_v1_ReleaseTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  ReleaseTask(argument: _tsem_v1_ReleaseTaskRequest, callback: grpc.requestCallback<_tsem_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  releaseTask(argument: _tsem_v1_ReleaseTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  releaseTask(argument: _tsem_v1_ReleaseTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  releaseTask(argument: _tsem_v1_ReleaseTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  releaseTask(argument: _tsem_v1_ReleaseTaskRequest, callback: grpc.requestCallback<_tsem_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface OperationsHandlers extends grpc.UntypedServiceImplementation {
  GetVersion: grpc.handleUnaryCall<_tsem_v1_GetVersionRequest__Output, _tsem_v1_VersionInfo>;
  
  ListIncidents: grpc.handleUnaryCall<_tsem_v1_ListIncidentsRequest__Output, _tsem_v1_ListIncidentsResponse>;
  
  ListTasks: grpc.handleUnaryCall<_tsem_v1_ListTasksRequest__Output, _tsem_v1_ListTasksResponse>;
  
  ReleaseTask: grpc.handleUnaryCall<_tsem_v1_ReleaseTaskRequest__Output, _tsem_v1_ReleaseTaskResponse>;
  
}

export interface OperationsDefinition extends grpc.ServiceDefinition {
  GetVersion: MethodDefinition<_tsem_v1_GetVersionRequest, _tsem_v1_VersionInfo, _tsem_v1_GetVersionRequest__Output, _tsem_v1_VersionInfo__Output>
  ListIncidents: MethodDefinition<_tsem_v1_ListIncidentsRequest, _tsem_v1_ListIncidentsResponse, _tsem_v1_ListIncidentsRequest__Output, _tsem_v1_ListIncidentsResponse__Output>
  ListTasks: MethodDefinition<_tsem_v1_ListTasksRequest, _tsem_v1_ListTasksResponse, _tsem_v1_ListTasksRequest__Output, _tsem_v1_ListTasksResponse__Output>
  ReleaseTask: MethodDefinition<_tsem_v1_ReleaseTaskRequest, _tsem_v1_ReleaseTaskResponse, _tsem_v1_ReleaseTaskRequest__Output, _tsem_v1_ReleaseTaskResponse__Output>
}
