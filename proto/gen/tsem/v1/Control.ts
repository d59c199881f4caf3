// Original file: proto/tsem/v1/tsem.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AcceptPointsRequest as _tsem_v1_AcceptPointsRequest, AcceptPointsRequest__Output as _tsem_v1_AcceptPointsRequest__Output } from '../../tsem/v1/AcceptPointsRequest.js';
import type { AcceptPointsResponse as _tsem_v1_AcceptPointsResponse, AcceptPointsResponse__Output as _tsem_v1_AcceptPointsResponse__Output } from '../../tsem/v1/AcceptPointsResponse.js';
import type { ActivateCredentialRequest as _tsem_v1_ActivateCredentialRequest, ActivateCredentialRequest__Output as _tsem_v1_ActivateCredentialRequest__Output } from '../../tsem/v1/ActivateCredentialRequest.js';
import type { ActivateCredentialResponse as _tsem_v1_ActivateCredentialResponse, ActivateCredentialResponse__Output as _tsem_v1_ActivateCredentialResponse__Output } from '../../tsem/v1/ActivateCredentialResponse.js';
import type { AddImaKeyRequest as _tsem_v1_AddImaKeyRequest, AddImaKeyRequest__Output as _tsem_v1_AddImaKeyRequest__Output } from '../../tsem/v1/AddImaKeyRequest.js';
import type { AttestReport as _tsem_v1_AttestReport, AttestReport__Output as _tsem_v1_AttestReport__Output } from '../../tsem/v1/AttestReport.js';
import type { AttestRequest as _tsem_v1_AttestRequest, AttestRequest__Output as _tsem_v1_AttestRequest__Output } from '../../tsem/v1/AttestRequest.js';
import type { AttestationKey as _tsem_v1_AttestationKey, AttestationKey__Output as _tsem_v1_AttestationKey__Output } from '../../tsem/v1/AttestationKey.js';
import type { AttestationKeyRequest as _tsem_v1_AttestationKeyRequest, AttestationKeyRequest__Output as _tsem_v1_AttestationKeyRequest__Output } from '../../tsem/v1/AttestationKeyRequest.js';
import type { ConvergenceResponse as _tsem_v1_ConvergenceResponse, ConvergenceResponse__Output as _tsem_v1_ConvergenceResponse__Output } from '../../tsem/v1/ConvergenceResponse.js';
import type { CreateNamespaceRequest as _tsem_v1_CreateNamespaceRequest, CreateNamespaceRequest__Output as _tsem_v1_CreateNamespaceRequest__Output } from '../../tsem/v1/CreateNamespaceRequest.js';
import type { DeleteLabelRequest as _tsem_v1_DeleteLabelRequest, DeleteLabelRequest__Output as _tsem_v1_DeleteLabelRequest__Output } from '../../tsem/v1/DeleteLabelRequest.js';
import type { DeleteLabelResponse as _tsem_v1_DeleteLabelResponse, DeleteLabelResponse__Output as _tsem_v1_DeleteLabelResponse__Output } from '../../tsem/v1/DeleteLabelResponse.js';
import type { DeleteNamespaceResponse as _tsem_v1_DeleteNamespaceResponse, DeleteNamespaceResponse__Output as _tsem_v1_DeleteNamespaceResponse__Output } from '../../tsem/v1/DeleteNamespaceResponse.js';
import type { EntriesResponse as _tsem_v1_EntriesResponse, EntriesResponse__Output as _tsem_v1_EntriesResponse__Output } from '../../tsem/v1/EntriesResponse.js';
import type { ExplainRequest as _tsem_v1_ExplainRequest, ExplainRequest__Output as _tsem_v1_ExplainRequest__Output } from '../../tsem/v1/ExplainRequest.js';
import type { Explanation as _tsem_v1_Explanation, Explanation__Output as _tsem_v1_Explanation__Output } from '../../tsem/v1/Explanation.js';
import type { ExportModelRequest as _tsem_v1_ExportModelRequest, ExportModelRequest__Output as _tsem_v1_ExportModelRequest__Output } from '../../tsem/v1/ExportModelRequest.js';
import type { GetLabelModelRequest as _tsem_v1_GetLabelModelRequest, GetLabelModelRequest__Output as _tsem_v1_GetLabelModelRequest__Output } from '../../tsem/v1/GetLabelModelRequest.js';
import type { GetLabelModelResponse as _tsem_v1_GetLabelModelResponse, GetLabelModelResponse__Output as _tsem_v1_GetLabelModelResponse__Output } from '../../tsem/v1/GetLabelModelResponse.js';
import type { ImaKeyring as _tsem_v1_ImaKeyring, ImaKeyring__Output as _tsem_v1_ImaKeyring__Output } from '../../tsem/v1/ImaKeyring.js';
import type { ImaKeyringRequest as _tsem_v1_ImaKeyringRequest, ImaKeyringRequest__Output as _tsem_v1_ImaKeyringRequest__Output } from '../../tsem/v1/ImaKeyringRequest.js';
import type { ImaLog as _tsem_v1_ImaLog, ImaLog__Output as _tsem_v1_ImaLog__Output } from '../../tsem/v1/ImaLog.js';
import type { ImaLogRequest as _tsem_v1_ImaLogRequest, ImaLogRequest__Output as _tsem_v1_ImaLogRequest__Output } from '../../tsem/v1/ImaLogRequest.js';
import type { ImaPolicy as _tsem_v1_ImaPolicy, ImaPolicy__Output as _tsem_v1_ImaPolicy__Output } from '../../tsem/v1/ImaPolicy.js';
import type { ImaPolicyRequest as _tsem_v1_ImaPolicyRequest, ImaPolicyRequest__Output as _tsem_v1_ImaPolicyRequest__Output } from '../../tsem/v1/ImaPolicyRequest.js';
import type { LabelInfo as _tsem_v1_LabelInfo, LabelInfo__Output as _tsem_v1_LabelInfo__Output } from '../../tsem/v1/LabelInfo.js';
import type { ListCanistersRequest as _tsem_v1_ListCanistersRequest, ListCanistersRequest__Output as _tsem_v1_ListCanistersRequest__Output } from '../../tsem/v1/ListCanistersRequest.js';
import type { ListCanistersResponse as _tsem_v1_ListCanistersResponse, ListCanistersResponse__Output as _tsem_v1_ListCanistersResponse__Output } from '../../tsem/v1/ListCanistersResponse.js';
import type { ListFindingsResponse as _tsem_v1_ListFindingsResponse, ListFindingsResponse__Output as _tsem_v1_ListFindingsResponse__Output } from '../../tsem/v1/ListFindingsResponse.js';
import type { ListLabelsRequest as _tsem_v1_ListLabelsRequest, ListLabelsRequest__Output as _tsem_v1_ListLabelsRequest__Output } from '../../tsem/v1/ListLabelsRequest.js';
import type { ListLabelsResponse as _tsem_v1_ListLabelsResponse, ListLabelsResponse__Output as _tsem_v1_ListLabelsResponse__Output } from '../../tsem/v1/ListLabelsResponse.js';
import type { ListNamespacesRequest as _tsem_v1_ListNamespacesRequest, ListNamespacesRequest__Output as _tsem_v1_ListNamespacesRequest__Output } from '../../tsem/v1/ListNamespacesRequest.js';
import type { ListNamespacesResponse as _tsem_v1_ListNamespacesResponse, ListNamespacesResponse__Output as _tsem_v1_ListNamespacesResponse__Output } from '../../tsem/v1/ListNamespacesResponse.js';
import type { ListPointsRequest as _tsem_v1_ListPointsRequest, ListPointsRequest__Output as _tsem_v1_ListPointsRequest__Output } from '../../tsem/v1/ListPointsRequest.js';
import type { ListPointsResponse as _tsem_v1_ListPointsResponse, ListPointsResponse__Output as _tsem_v1_ListPointsResponse__Output } from '../../tsem/v1/ListPointsResponse.js';
import type { LoadModelRequest as _tsem_v1_LoadModelRequest, LoadModelRequest__Output as _tsem_v1_LoadModelRequest__Output } from '../../tsem/v1/LoadModelRequest.js';
import type { ModelText as _tsem_v1_ModelText, ModelText__Output as _tsem_v1_ModelText__Output } from '../../tsem/v1/ModelText.js';
import type { NamespaceInfo as _tsem_v1_NamespaceInfo, NamespaceInfo__Output as _tsem_v1_NamespaceInfo__Output } from '../../tsem/v1/NamespaceInfo.js';
import type { NamespaceRef as _tsem_v1_NamespaceRef, NamespaceRef__Output as _tsem_v1_NamespaceRef__Output } from '../../tsem/v1/NamespaceRef.js';
import type { PageRequest as _tsem_v1_PageRequest, PageRequest__Output as _tsem_v1_PageRequest__Output } from '../../tsem/v1/PageRequest.js';
import type { PointsResponse as _tsem_v1_PointsResponse, PointsResponse__Output as _tsem_v1_PointsResponse__Output } from '../../tsem/v1/PointsResponse.js';
import type { RemoveImaKeyRequest as _tsem_v1_RemoveImaKeyRequest, RemoveImaKeyRequest__Output as _tsem_v1_RemoveImaKeyRequest__Output } from '../../tsem/v1/RemoveImaKeyRequest.js';
import type { RunCanisterRequest as _tsem_v1_RunCanisterRequest, RunCanisterRequest__Output as _tsem_v1_RunCanisterRequest__Output } from '../../tsem/v1/RunCanisterRequest.js';
import type { RunCanisterResponse as _tsem_v1_RunCanisterResponse, RunCanisterResponse__Output as _tsem_v1_RunCanisterResponse__Output } from '../../tsem/v1/RunCanisterResponse.js';
import type { SaveLabelModelRequest as _tsem_v1_SaveLabelModelRequest, SaveLabelModelRequest__Output as _tsem_v1_SaveLabelModelRequest__Output } from '../../tsem/v1/SaveLabelModelRequest.js';
import type { SetConvergenceRequest as _tsem_v1_SetConvergenceRequest, SetConvergenceRequest__Output as _tsem_v1_SetConvergenceRequest__Output } from '../../tsem/v1/SetConvergenceRequest.js';
import type { SetImaPolicyRequest as _tsem_v1_SetImaPolicyRequest, SetImaPolicyRequest__Output as _tsem_v1_SetImaPolicyRequest__Output } from '../../tsem/v1/SetImaPolicyRequest.js';
import type { SetModeRequest as _tsem_v1_SetModeRequest, SetModeRequest__Output as _tsem_v1_SetModeRequest__Output } from '../../tsem/v1/SetModeRequest.js';

export interface ControlClient extends grpc.Client {
  AcceptPoints(argument: _tsem_v1_AcceptPointsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AcceptPointsResponse__Output>): grpc.ClientUnaryCall;
  AcceptPoints(argument: _tsem_v1_AcceptPointsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_AcceptPointsResponse__Output>): grpc.ClientUnaryCall;
  AcceptPoints(argument: _tsem_v1_AcceptPointsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AcceptPointsResponse__Output>): grpc.ClientUnaryCall;
  AcceptPoints(argument: _tsem_v1_AcceptPointsRequest, callback: grpc.requestCallback<_tsem_v1_AcceptPointsResponse__Output>): grpc.ClientUnaryCall;
  acceptPoints(argument: _tsem_v1_AcceptPointsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AcceptPointsResponse__Output>): grpc.ClientUnaryCall;
  acceptPoints(argument: _tsem_v1_AcceptPointsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_AcceptPointsResponse__Output>): grpc.ClientUnaryCall;
  acceptPoints(argument: _tsem_v1_AcceptPointsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AcceptPointsResponse__Output>): grpc.ClientUnaryCall;
  acceptPoints(argument: _tsem_v1_AcceptPointsRequest, callback: grpc.requestCallback<_tsem_v1_AcceptPointsResponse__Output>): grpc.ClientUnaryCall;
  
  ActivateCredential(argument: _tsem_v1_ActivateCredentialRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ActivateCredentialResponse__Output>): grpc.ClientUnaryCall;
  ActivateCredential(argument: _tsem_v1_ActivateCredentialRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ActivateCredentialResponse__Output>): grpc.ClientUnaryCall;
  ActivateCredential(argument: _tsem_v1_ActivateCredentialRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ActivateCredentialResponse__Output>): grpc.ClientUnaryCall;
  ActivateCredential(argument: _tsem_v1_ActivateCredentialRequest, callback: grpc.requestCallback<_tsem_v1_ActivateCredentialResponse__Output>): grpc.ClientUnaryCall;
  activateCredential(argument: _tsem_v1_ActivateCredentialRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ActivateCredentialResponse__Output>): grpc.ClientUnaryCall;
  activateCredential(argument: _tsem_v1_ActivateCredentialRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ActivateCredentialResponse__Output>): grpc.ClientUnaryCall;
  activateCredential(argument: _tsem_v1_ActivateCredentialRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ActivateCredentialResponse__Output>): grpc.ClientUnaryCall;
  activateCredential(argument: _tsem_v1_ActivateCredentialRequest, callback: grpc.requestCallback<_tsem_v1_ActivateCredentialResponse__Output>): grpc.ClientUnaryCall;
  
  AddImaKey(argument: _tsem_v1_AddImaKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  AddImaKey(argument: _tsem_v1_AddImaKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  AddImaKey(argument: _tsem_v1_AddImaKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  AddImaKey(argument: _tsem_v1_AddImaKeyRequest, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  addImaKey(argument: _tsem_v1_AddImaKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  addImaKey(argument: _tsem_v1_AddImaKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  addImaKey(argument: _tsem_v1_AddImaKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  addImaKey(argument: _tsem_v1_AddImaKeyRequest, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  
  Attest(argument: _tsem_v1_AttestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AttestReport__Output>): grpc.ClientUnaryCall;
  Attest(argument: _tsem_v1_AttestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_AttestReport__Output>): grpc.ClientUnaryCall;
  Attest(argument: _tsem_v1_AttestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AttestReport__Output>): grpc.ClientUnaryCall;
  Attest(argument: _tsem_v1_AttestRequest, callback: grpc.requestCallback<_tsem_v1_AttestReport__Output>): grpc.ClientUnaryCall;
  attest(argument: _tsem_v1_AttestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AttestReport__Output>): grpc.ClientUnaryCall;
  attest(argument: _tsem_v1_AttestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_AttestReport__Output>): grpc.ClientUnaryCall;
  attest(argument: _tsem_v1_AttestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AttestReport__Output>): grpc.ClientUnaryCall;
  attest(argument: _tsem_v1_AttestRequest, callback: grpc.requestCallback<_tsem_v1_AttestReport__Output>): grpc.ClientUnaryCall;
  
  CreateNamespace(argument: _tsem_v1_CreateNamespaceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  CreateNamespace(argument: _tsem_v1_CreateNamespaceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  CreateNamespace(argument: _tsem_v1_CreateNamespaceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  CreateNamespace(argument: _tsem_v1_CreateNamespaceRequest, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  createNamespace(argument: _tsem_v1_CreateNamespaceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  createNamespace(argument: _tsem_v1_CreateNamespaceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  createNamespace(argument: _tsem_v1_CreateNamespaceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  createNamespace(argument: _tsem_v1_CreateNamespaceRequest, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  
  DeleteLabel(argument: _tsem_v1_DeleteLabelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_DeleteLabelResponse__Output>): grpc.ClientUnaryCall;
  DeleteLabel(argument: _tsem_v1_DeleteLabelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_DeleteLabelResponse__Output>): grpc.ClientUnaryCall;
  DeleteLabel(argument: _tsem_v1_DeleteLabelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_DeleteLabelResponse__Output>): grpc.ClientUnaryCall;
  DeleteLabel(argument: _tsem_v1_DeleteLabelRequest, callback: grpc.requestCallback<_tsem_v1_DeleteLabelResponse__Output>): grpc.ClientUnaryCall;
  deleteLabel(argument: _tsem_v1_DeleteLabelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_DeleteLabelResponse__Output>): grpc.ClientUnaryCall;
  deleteLabel(argument: _tsem_v1_DeleteLabelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_DeleteLabelResponse__Output>): grpc.ClientUnaryCall;
  deleteLabel(argument: _tsem_v1_DeleteLabelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_DeleteLabelResponse__Output>): grpc.ClientUnaryCall;
  deleteLabel(argument: _tsem_v1_DeleteLabelRequest, callback: grpc.requestCallback<_tsem_v1_DeleteLabelResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteNamespace(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_DeleteNamespaceResponse__Output>): grpc.ClientUnaryCall;
  DeleteNamespace(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_DeleteNamespaceResponse__Output>): grpc.ClientUnaryCall;
  DeleteNamespace(argument: _tsem_v1_NamespaceRef, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_DeleteNamespaceResponse__Output>): grpc.ClientUnaryCall;
  DeleteNamespace(argument: _tsem_v1_NamespaceRef, callback: grpc.requestCallback<_tsem_v1_DeleteNamespaceResponse__Output>): grpc.ClientUnaryCall;
  deleteNamespace(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_DeleteNamespaceResponse__Output>): grpc.ClientUnaryCall;
  deleteNamespace(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_DeleteNamespaceResponse__Output>): grpc.ClientUnaryCall;
  deleteNamespace(argument: _tsem_v1_NamespaceRef, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_DeleteNamespaceResponse__Output>): grpc.ClientUnaryCall;
  deleteNamespace(argument: _tsem_v1_NamespaceRef, callback: grpc.requestCallback<_tsem_v1_DeleteNamespaceResponse__Output>): grpc.ClientUnaryCall;
  
  Explain(argument: _tsem_v1_ExplainRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_Explanation__Output>): grpc.ClientUnaryCall;
  Explain(argument: _tsem_v1_ExplainRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_Explanation__Output>): grpc.ClientUnaryCall;
  Explain(argument: _tsem_v1_ExplainRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_Explanation__Output>): grpc.ClientUnaryCall;
  Explain(argument: _tsem_v1_ExplainRequest, callback: grpc.requestCallback<_tsem_v1_Explanation__Output>): grpc.ClientUnaryCall;
  explain(argument: _tsem_v1_ExplainRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_Explanation__Output>): grpc.ClientUnaryCall;
  explain(argument: _tsem_v1_ExplainRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_Explanation__Output>): grpc.ClientUnaryCall;
  explain(argument: _tsem_v1_ExplainRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_Explanation__Output>): grpc.ClientUnaryCall;
  explain(argument: _tsem_v1_ExplainRequest, callback: grpc.requestCallback<_tsem_v1_Explanation__Output>): grpc.ClientUnaryCall;
  
  ExportModel(argument: _tsem_v1_ExportModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ModelText__Output>): grpc.ClientUnaryCall;
  ExportModel(argument: _tsem_v1_ExportModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ModelText__Output>): grpc.ClientUnaryCall;
  ExportModel(argument: _tsem_v1_ExportModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ModelText__Output>): grpc.ClientUnaryCall;
  ExportModel(argument: _tsem_v1_ExportModelRequest, callback: grpc.requestCallback<_tsem_v1_ModelText__Output>): grpc.ClientUnaryCall;
  exportModel(argument: _tsem_v1_ExportModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ModelText__Output>): grpc.ClientUnaryCall;
  exportModel(argument: _tsem_v1_ExportModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ModelText__Output>): grpc.ClientUnaryCall;
  exportModel(argument: _tsem_v1_ExportModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ModelText__Output>): grpc.ClientUnaryCall;
  exportModel(argument: _tsem_v1_ExportModelRequest, callback: grpc.requestCallback<_tsem_v1_ModelText__Output>): grpc.ClientUnaryCall;
  
  GetAttestationKey(argument: _tsem_v1_AttestationKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AttestationKey__Output>): grpc.ClientUnaryCall;
  GetAttestationKey(argument: _tsem_v1_AttestationKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_AttestationKey__Output>): grpc.ClientUnaryCall;
  GetAttestationKey(argument: _tsem_v1_AttestationKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AttestationKey__Output>): grpc.ClientUnaryCall;
  GetAttestationKey(argument: _tsem_v1_AttestationKeyRequest, callback: grpc.requestCallback<_tsem_v1_AttestationKey__Output>): grpc.ClientUnaryCall;
  getAttestationKey(argument: _tsem_v1_AttestationKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AttestationKey__Output>): grpc.ClientUnaryCall;
  getAttestationKey(argument: _tsem_v1_AttestationKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_AttestationKey__Output>): grpc.ClientUnaryCall;
  getAttestationKey(argument: _tsem_v1_AttestationKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_AttestationKey__Output>): grpc.ClientUnaryCall;
  getAttestationKey(argument: _tsem_v1_AttestationKeyRequest, callback: grpc.requestCallback<_tsem_v1_AttestationKey__Output>): grpc.ClientUnaryCall;
  
  GetConvergence(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  GetConvergence(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  GetConvergence(argument: _tsem_v1_NamespaceRef, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  GetConvergence(argument: _tsem_v1_NamespaceRef, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  getConvergence(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  getConvergence(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  getConvergence(argument: _tsem_v1_NamespaceRef, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  getConvergence(argument: _tsem_v1_NamespaceRef, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  
  GetForensics(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  GetForensics(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  GetForensics(argument: _tsem_v1_PageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  GetForensics(argument: _tsem_v1_PageRequest, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getForensics(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getForensics(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getForensics(argument: _tsem_v1_PageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getForensics(argument: _tsem_v1_PageRequest, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  
  GetImaLog(argument: _tsem_v1_ImaLogRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaLog__Output>): grpc.ClientUnaryCall;
  GetImaLog(argument: _tsem_v1_ImaLogRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaLog__Output>): grpc.ClientUnaryCall;
  GetImaLog(argument: _tsem_v1_ImaLogRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaLog__Output>): grpc.ClientUnaryCall;
  GetImaLog(argument: _tsem_v1_ImaLogRequest, callback: grpc.requestCallback<_tsem_v1_ImaLog__Output>): grpc.ClientUnaryCall;
  getImaLog(argument: _tsem_v1_ImaLogRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaLog__Output>): grpc.ClientUnaryCall;
  getImaLog(argument: _tsem_v1_ImaLogRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaLog__Output>): grpc.ClientUnaryCall;
  getImaLog(argument: _tsem_v1_ImaLogRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaLog__Output>): grpc.ClientUnaryCall;
  getImaLog(argument: _tsem_v1_ImaLogRequest, callback: grpc.requestCallback<_tsem_v1_ImaLog__Output>): grpc.ClientUnaryCall;
  
  GetImaPolicy(argument: _tsem_v1_ImaPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  GetImaPolicy(argument: _tsem_v1_ImaPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  GetImaPolicy(argument: _tsem_v1_ImaPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  GetImaPolicy(argument: _tsem_v1_ImaPolicyRequest, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  getImaPolicy(argument: _tsem_v1_ImaPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  getImaPolicy(argument: _tsem_v1_ImaPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  getImaPolicy(argument: _tsem_v1_ImaPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  getImaPolicy(argument: _tsem_v1_ImaPolicyRequest, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  
  GetLabelModel(argument: _tsem_v1_GetLabelModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_GetLabelModelResponse__Output>): grpc.ClientUnaryCall;
  GetLabelModel(argument: _tsem_v1_GetLabelModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_GetLabelModelResponse__Output>): grpc.ClientUnaryCall;
  GetLabelModel(argument: _tsem_v1_GetLabelModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_GetLabelModelResponse__Output>): grpc.ClientUnaryCall;
  GetLabelModel(argument: _tsem_v1_GetLabelModelRequest, callback: grpc.requestCallback<_tsem_v1_GetLabelModelResponse__Output>): grpc.ClientUnaryCall;
  getLabelModel(argument: _tsem_v1_GetLabelModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_GetLabelModelResponse__Output>): grpc.ClientUnaryCall;
  getLabelModel(argument: _tsem_v1_GetLabelModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_GetLabelModelResponse__Output>): grpc.ClientUnaryCall;
  getLabelModel(argument: _tsem_v1_GetLabelModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_GetLabelModelResponse__Output>): grpc.ClientUnaryCall;
  getLabelModel(argument: _tsem_v1_GetLabelModelRequest, callback: grpc.requestCallback<_tsem_v1_GetLabelModelResponse__Output>): grpc.ClientUnaryCall;
  
  GetNamespace(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  GetNamespace(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  GetNamespace(argument: _tsem_v1_NamespaceRef, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  GetNamespace(argument: _tsem_v1_NamespaceRef, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  getNamespace(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  getNamespace(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  getNamespace(argument: _tsem_v1_NamespaceRef, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  getNamespace(argument: _tsem_v1_NamespaceRef, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  
  GetPoints(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_PointsResponse__Output>): grpc.ClientUnaryCall;
  GetPoints(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_PointsResponse__Output>): grpc.ClientUnaryCall;
  GetPoints(argument: _tsem_v1_NamespaceRef, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_PointsResponse__Output>): grpc.ClientUnaryCall;
  GetPoints(argument: _tsem_v1_NamespaceRef, callback: grpc.requestCallback<_tsem_v1_PointsResponse__Output>): grpc.ClientUnaryCall;
  getPoints(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_PointsResponse__Output>): grpc.ClientUnaryCall;
  getPoints(argument: _tsem_v1_NamespaceRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_PointsResponse__Output>): grpc.ClientUnaryCall;
  getPoints(argument: _tsem_v1_NamespaceRef, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_PointsResponse__Output>): grpc.ClientUnaryCall;
  getPoints(argument: _tsem_v1_NamespaceRef, callback: grpc.requestCallback<_tsem_v1_PointsResponse__Output>): grpc.ClientUnaryCall;
  
  GetRejected(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  GetRejected(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  GetRejected(argument: _tsem_v1_PageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  GetRejected(argument: _tsem_v1_PageRequest, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getRejected(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getRejected(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getRejected(argument: _tsem_v1_PageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getRejected(argument: _tsem_v1_PageRequest, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  
  GetTrajectory(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  GetTrajectory(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  GetTrajectory(argument: _tsem_v1_PageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  GetTrajectory(argument: _tsem_v1_PageRequest, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getTrajectory(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getTrajectory(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getTrajectory(argument: _tsem_v1_PageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  getTrajectory(argument: _tsem_v1_PageRequest, callback: grpc.requestCallback<_tsem_v1_EntriesResponse__Output>): grpc.ClientUnaryCall;
  
  ListCanisters(argument: _tsem_v1_ListCanistersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListCanistersResponse__Output>): grpc.ClientUnaryCall;
  ListCanisters(argument: _tsem_v1_ListCanistersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListCanistersResponse__Output>): grpc.ClientUnaryCall;
  ListCanisters(argument: _tsem_v1_ListCanistersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListCanistersResponse__Output>): grpc.ClientUnaryCall;
  ListCanisters(argument: _tsem_v1_ListCanistersRequest, callback: grpc.requestCallback<_tsem_v1_ListCanistersResponse__Output>): grpc.ClientUnaryCall;
  listCanisters(argument: _tsem_v1_ListCanistersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListCanistersResponse__Output>): grpc.ClientUnaryCall;
  listCanisters(argument: _tsem_v1_ListCanistersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListCanistersResponse__Output>): grpc.ClientUnaryCall;
  listCanisters(argument: _tsem_v1_ListCanistersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListCanistersResponse__Output>): grpc.ClientUnaryCall;
  listCanisters(argument: _tsem_v1_ListCanistersRequest, callback: grpc.requestCallback<_tsem_v1_ListCanistersResponse__Output>): grpc.ClientUnaryCall;
  
  ListFindings(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListFindingsResponse__Output>): grpc.ClientUnaryCall;
  ListFindings(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListFindingsResponse__Output>): grpc.ClientUnaryCall;
  ListFindings(argument: _tsem_v1_PageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListFindingsResponse__Output>): grpc.ClientUnaryCall;
  ListFindings(argument: _tsem_v1_PageRequest, callback: grpc.requestCallback<_tsem_v1_ListFindingsResponse__Output>): grpc.ClientUnaryCall;
  listFindings(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListFindingsResponse__Output>): grpc.ClientUnaryCall;
  listFindings(argument: _tsem_v1_PageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListFindingsResponse__Output>): grpc.ClientUnaryCall;
  listFindings(argument: _tsem_v1_PageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListFindingsResponse__Output>): grpc.ClientUnaryCall;
  listFindings(argument: _tsem_v1_PageRequest, callback: grpc.requestCallback<_tsem_v1_ListFindingsResponse__Output>): grpc.ClientUnaryCall;
  
  ListImaKeys(argument: _tsem_v1_ImaKeyringRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  ListImaKeys(argument: _tsem_v1_ImaKeyringRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  ListImaKeys(argument: _tsem_v1_ImaKeyringRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  ListImaKeys(argument: _tsem_v1_ImaKeyringRequest, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  listImaKeys(argument: _tsem_v1_ImaKeyringRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  listImaKeys(argument: _tsem_v1_ImaKeyringRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  listImaKeys(argument: _tsem_v1_ImaKeyringRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  listImaKeys(argument: _tsem_v1_ImaKeyringRequest, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  
  ListLabels(argument: _tsem_v1_ListLabelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListLabelsResponse__Output>): grpc.ClientUnaryCall;
  ListLabels(argument: _tsem_v1_ListLabelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListLabelsResponse__Output>): grpc.ClientUnaryCall;
  ListLabels(argument: _tsem_v1_ListLabelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListLabelsResponse__Output>): grpc.ClientUnaryCall;
  ListLabels(argument: _tsem_v1_ListLabelsRequest, callback: grpc.requestCallback<_tsem_v1_ListLabelsResponse__Output>): grpc.ClientUnaryCall;
  listLabels(argument: _tsem_v1_ListLabelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListLabelsResponse__Output>): grpc.ClientUnaryCall;
  listLabels(argument: _tsem_v1_ListLabelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListLabelsResponse__Output>): grpc.ClientUnaryCall;
  listLabels(argument: _tsem_v1_ListLabelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListLabelsResponse__Output>): grpc.ClientUnaryCall;
  listLabels(argument: _tsem_v1_ListLabelsRequest, callback: grpc.requestCallback<_tsem_v1_ListLabelsResponse__Output>): grpc.ClientUnaryCall;
  
  ListNamespaces(argument: _tsem_v1_ListNamespacesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListNamespacesResponse__Output>): grpc.ClientUnaryCall;
  ListNamespaces(argument: _tsem_v1_ListNamespacesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListNamespacesResponse__Output>): grpc.ClientUnaryCall;
  ListNamespaces(argument: _tsem_v1_ListNamespacesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListNamespacesResponse__Output>): grpc.ClientUnaryCall;
  ListNamespaces(argument: _tsem_v1_ListNamespacesRequest, callback: grpc.requestCallback<_tsem_v1_ListNamespacesResponse__Output>): grpc.ClientUnaryCall;
  listNamespaces(argument: _tsem_v1_ListNamespacesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListNamespacesResponse__Output>): grpc.ClientUnaryCall;
  listNamespaces(argument: _tsem_v1_ListNamespacesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListNamespacesResponse__Output>): grpc.ClientUnaryCall;
  listNamespaces(argument: _tsem_v1_ListNamespacesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListNamespacesResponse__Output>): grpc.ClientUnaryCall;
  listNamespaces(argument: _tsem_v1_ListNamespacesRequest, callback: grpc.requestCallback<_tsem_v1_ListNamespacesResponse__Output>): grpc.ClientUnaryCall;
  
  ListPoints(argument: _tsem_v1_ListPointsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListPointsResponse__Output>): grpc.ClientUnaryCall;
  ListPoints(argument: _tsem_v1_ListPointsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListPointsResponse__Output>): grpc.ClientUnaryCall;
  ListPoints(argument: _tsem_v1_ListPointsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListPointsResponse__Output>): grpc.ClientUnaryCall;
  ListPoints(argument: _tsem_v1_ListPointsRequest, callback: grpc.requestCallback<_tsem_v1_ListPointsResponse__Output>): grpc.ClientUnaryCall;
  listPoints(argument: _tsem_v1_ListPointsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListPointsResponse__Output>): grpc.ClientUnaryCall;
  listPoints(argument: _tsem_v1_ListPointsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ListPointsResponse__Output>): grpc.ClientUnaryCall;
  listPoints(argument: _tsem_v1_ListPointsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ListPointsResponse__Output>): grpc.ClientUnaryCall;
  listPoints(argument: _tsem_v1_ListPointsRequest, callback: grpc.requestCallback<_tsem_v1_ListPointsResponse__Output>): grpc.ClientUnaryCall;
  
  LoadModel(argument: _tsem_v1_LoadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  LoadModel(argument: _tsem_v1_LoadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  LoadModel(argument: _tsem_v1_LoadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  LoadModel(argument: _tsem_v1_LoadModelRequest, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _tsem_v1_LoadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _tsem_v1_LoadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _tsem_v1_LoadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _tsem_v1_LoadModelRequest, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  
  RemoveImaKey(argument: _tsem_v1_RemoveImaKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  RemoveImaKey(argument: _tsem_v1_RemoveImaKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  RemoveImaKey(argument: _tsem_v1_RemoveImaKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  RemoveImaKey(argument: _tsem_v1_RemoveImaKeyRequest, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  removeImaKey(argument: _tsem_v1_RemoveImaKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  removeImaKey(argument: _tsem_v1_RemoveImaKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  removeImaKey(argument: _tsem_v1_RemoveImaKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  removeImaKey(argument: _tsem_v1_RemoveImaKeyRequest, callback: grpc.requestCallback<_tsem_v1_ImaKeyring__Output>): grpc.ClientUnaryCall;
  
  RunCanister(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_tsem_v1_RunCanisterRequest, _tsem_v1_RunCanisterResponse__Output>;
  RunCanister(options?: grpc.CallOptions): grpc.ClientDuplexStream<_tsem_v1_RunCanisterRequest, _tsem_v1_RunCanisterResponse__Output>;
  runCanister(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_tsem_v1_RunCanisterRequest, _tsem_v1_RunCanisterResponse__Output>;
  runCanister(options?: grpc.CallOptions): grpc.ClientDuplexStream<_tsem_v1_RunCanisterRequest, _tsem_v1_RunCanisterResponse__Output>;
  
  SaveLabelModel(argument: _tsem_v1_SaveLabelModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_LabelInfo__Output>): grpc.ClientUnaryCall;
  SaveLabelModel(argument: _tsem_v1_SaveLabelModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_LabelInfo__Output>): grpc.ClientUnaryCall;
  SaveLabelModel(argument: _tsem_v1_SaveLabelModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_LabelInfo__Output>): grpc.ClientUnaryCall;
  SaveLabelModel(argument: _tsem_v1_SaveLabelModelRequest, callback: grpc.requestCallback<_tsem_v1_LabelInfo__Output>): grpc.ClientUnaryCall;
  saveLabelModel(argument: _tsem_v1_SaveLabelModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_LabelInfo__Output>): grpc.ClientUnaryCall;
  saveLabelModel(argument: _tsem_v1_SaveLabelModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_LabelInfo__Output>): grpc.ClientUnaryCall;
  saveLabelModel(argument: _tsem_v1_SaveLabelModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_LabelInfo__Output>): grpc.ClientUnaryCall;
  saveLabelModel(argument: _tsem_v1_SaveLabelModelRequest, callback: grpc.requestCallback<_tsem_v1_LabelInfo__Output>): grpc.ClientUnaryCall;
  
  SetConvergence(argument: _tsem_v1_SetConvergenceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  SetConvergence(argument: _tsem_v1_SetConvergenceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  SetConvergence(argument: _tsem_v1_SetConvergenceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  SetConvergence(argument: _tsem_v1_SetConvergenceRequest, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  setConvergence(argument: _tsem_v1_SetConvergenceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  setConvergence(argument: _tsem_v1_SetConvergenceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  setConvergence(argument: _tsem_v1_SetConvergenceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  setConvergence(argument: _tsem_v1_SetConvergenceRequest, callback: grpc.requestCallback<_tsem_v1_ConvergenceResponse__Output>): grpc.ClientUnaryCall;
  
  SetImaPolicy(argument: _tsem_v1_SetImaPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  SetImaPolicy(argument: _tsem_v1_SetImaPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  SetImaPolicy(argument: _tsem_v1_SetImaPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  SetImaPolicy(argument: _tsem_v1_SetImaPolicyRequest, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  setImaPolicy(argument: _tsem_v1_SetImaPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  setImaPolicy(argument: _tsem_v1_SetImaPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  setImaPolicy(argument: _tsem_v1_SetImaPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  setImaPolicy(argument: _tsem_v1_SetImaPolicyRequest, callback: grpc.requestCallback<_tsem_v1_ImaPolicy__Output>): grpc.ClientUnaryCall;
  
  SetMode(argument: _tsem_v1_SetModeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  SetMode(argument: _tsem_v1_SetModeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  SetMode(argument: _tsem_v1_SetModeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  SetMode(argument: _tsem_v1_SetModeRequest, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  setMode(argument: _tsem_v1_SetModeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  setMode(argument: _tsem_v1_SetModeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  setMode(argument: _tsem_v1_SetModeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  setMode(argument: _tsem_v1_SetModeRequest, callback: grpc.requestCallback<_tsem_v1_NamespaceInfo__Output>): grpc.ClientUnaryCall;
  
}

export interface ControlHandlers extends grpc.UntypedServiceImplementation {
  AcceptPoints: grpc.handleUnaryCall<_tsem_v1_AcceptPointsRequest__Output, _tsem_v1_AcceptPointsResponse>;
  
  ActivateCredential: grpc.handleUnaryCall<_tsem_v1_ActivateCredentialRequest__Output, _tsem_v1_ActivateCredentialResponse>;
  
  AddImaKey: grpc.handleUnaryCall<_tsem_v1_AddImaKeyRequest__Output, _tsem_v1_ImaKeyring>;
  
  Attest: grpc.handleUnaryCall<_tsem_v1_AttestRequest__Output, _tsem_v1_AttestReport>;
  
  CreateNamespace: grpc.handleUnaryCall<_tsem_v1_CreateNamespaceRequest__Output, _tsem_v1_NamespaceInfo>;
  
  DeleteLabel: grpc.handleUnaryCall<_tsem_v1_DeleteLabelRequest__Output, _tsem_v1_DeleteLabelResponse>;
  
  DeleteNamespace: grpc.handleUnaryCall<_tsem_v1_NamespaceRef__Output, _tsem_v1_DeleteNamespaceResponse>;
  
  Explain: grpc.handleUnaryCall<_tsem_v1_ExplainRequest__Output, _tsem_v1_Explanation>;
  
  ExportModel: grpc.handleUnaryCall<_tsem_v1_ExportModelRequest__Output, _tsem_v1_ModelText>;
  
  GetAttestationKey: grpc.handleUnaryCall<_tsem_v1_AttestationKeyRequest__Output, _tsem_v1_AttestationKey>;
  
  GetConvergence: grpc.handleUnaryCall<_tsem_v1_NamespaceRef__Output, _tsem_v1_ConvergenceResponse>;
  
  GetForensics: grpc.handleUnaryCall<_tsem_v1_PageRequest__Output, _tsem_v1_EntriesResponse>;
  
  GetImaLog: grpc.handleUnaryCall<_tsem_v1_ImaLogRequest__Output, _tsem_v1_ImaLog>;
  
  GetImaPolicy: grpc.handleUnaryCall<_tsem_v1_ImaPolicyRequest__Output, _tsem_v1_ImaPolicy>;
  
  GetLabelModel: grpc.handleUnaryCall<_tsem_v1_GetLabelModelRequest__Output, _tsem_v1_GetLabelModelResponse>;
  
  GetNamespace: grpc.handleUnaryCall<_tsem_v1_NamespaceRef__Output, _tsem_v1_NamespaceInfo>;
  
  GetPoints: grpc.handleUnaryCall<_tsem_v1_NamespaceRef__Output, _tsem_v1_PointsResponse>;
  
  GetRejected: grpc.handleUnaryCall<_tsem_v1_PageRequest__Output, _tsem_v1_EntriesResponse>;
  
  GetTrajectory: grpc.handleUnaryCall<_tsem_v1_PageRequest__Output, _tsem_v1_EntriesResponse>;
  
  ListCanisters: grpc.handleUnaryCall<_tsem_v1_ListCanistersRequest__Output, _tsem_v1_ListCanistersResponse>;
  
  ListFindings: grpc.handleUnaryCall<_tsem_v1_PageRequest__Output, _tsem_v1_ListFindingsResponse>;
  
  ListImaKeys: grpc.handleUnaryCall<_tsem_v1_ImaKeyringRequest__Output, _tsem_v1_ImaKeyring>;
  
  ListLabels: grpc.handleUnaryCall<_tsem_v1_ListLabelsRequest__Output, _tsem_v1_ListLabelsResponse>;
  
  ListNamespaces: grpc.handleUnaryCall<_tsem_v1_ListNamespacesRequest__Output, _tsem_v1_ListNamespacesResponse>;
  
  ListPoints: grpc.handleUnaryCall<_tsem_v1_ListPointsRequest__Output, _tsem_v1_ListPointsResponse>;
  
  LoadModel: grpc.handleUnaryCall<_tsem_v1_LoadModelRequest__Output, _tsem_v1_NamespaceInfo>;
  
  RemoveImaKey: grpc.handleUnaryCall<_tsem_v1_RemoveImaKeyRequest__Output, _tsem_v1_ImaKeyring>;
  
  RunCanister: grpc.handleBidiStreamingCall<_tsem_v1_RunCanisterRequest__Output, _tsem_v1_RunCanisterResponse>;
  
  SaveLabelModel: grpc.handleUnaryCall<_tsem_v1_SaveLabelModelRequest__Output, _tsem_v1_LabelInfo>;
  
  SetConvergence: grpc.handleUnaryCall<_tsem_v1_SetConvergenceRequest__Output, _tsem_v1_ConvergenceResponse>;
  
  SetImaPolicy: grpc.handleUnaryCall<_tsem_v1_SetImaPolicyRequest__Output, _tsem_v1_ImaPolicy>;
  
  SetMode: grpc.handleUnaryCall<_tsem_v1_SetModeRequest__Output, _tsem_v1_NamespaceInfo>;
  
}

export interface ControlDefinition extends grpc.ServiceDefinition {
  AcceptPoints: MethodDefinition<_tsem_v1_AcceptPointsRequest, _tsem_v1_AcceptPointsResponse, _tsem_v1_AcceptPointsRequest__Output, _tsem_v1_AcceptPointsResponse__Output>
  ActivateCredential: MethodDefinition<_tsem_v1_ActivateCredentialRequest, _tsem_v1_ActivateCredentialResponse, _tsem_v1_ActivateCredentialRequest__Output, _tsem_v1_ActivateCredentialResponse__Output>
  AddImaKey: MethodDefinition<_tsem_v1_AddImaKeyRequest, _tsem_v1_ImaKeyring, _tsem_v1_AddImaKeyRequest__Output, _tsem_v1_ImaKeyring__Output>
  Attest: MethodDefinition<_tsem_v1_AttestRequest, _tsem_v1_AttestReport, _tsem_v1_AttestRequest__Output, _tsem_v1_AttestReport__Output>
  CreateNamespace: MethodDefinition<_tsem_v1_CreateNamespaceRequest, _tsem_v1_NamespaceInfo, _tsem_v1_CreateNamespaceRequest__Output, _tsem_v1_NamespaceInfo__Output>
  DeleteLabel: MethodDefinition<_tsem_v1_DeleteLabelRequest, _tsem_v1_DeleteLabelResponse, _tsem_v1_DeleteLabelRequest__Output, _tsem_v1_DeleteLabelResponse__Output>
  DeleteNamespace: MethodDefinition<_tsem_v1_NamespaceRef, _tsem_v1_DeleteNamespaceResponse, _tsem_v1_NamespaceRef__Output, _tsem_v1_DeleteNamespaceResponse__Output>
  Explain: MethodDefinition<_tsem_v1_ExplainRequest, _tsem_v1_Explanation, _tsem_v1_ExplainRequest__Output, _tsem_v1_Explanation__Output>
  ExportModel: MethodDefinition<_tsem_v1_ExportModelRequest, _tsem_v1_ModelText, _tsem_v1_ExportModelRequest__Output, _tsem_v1_ModelText__Output>
  GetAttestationKey: MethodDefinition<_tsem_v1_AttestationKeyRequest, _tsem_v1_AttestationKey, _tsem_v1_AttestationKeyRequest__Output, _tsem_v1_AttestationKey__Output>
  GetConvergence: MethodDefinition<_tsem_v1_NamespaceRef, _tsem_v1_ConvergenceResponse, _tsem_v1_NamespaceRef__Output, _tsem_v1_ConvergenceResponse__Output>
  GetForensics: MethodDefinition<_tsem_v1_PageRequest, _tsem_v1_EntriesResponse, _tsem_v1_PageRequest__Output, _tsem_v1_EntriesResponse__Output>
  GetImaLog: MethodDefinition<_tsem_v1_ImaLogRequest, _tsem_v1_ImaLog, _tsem_v1_ImaLogRequest__Output, _tsem_v1_ImaLog__Output>
  GetImaPolicy: MethodDefinition<_tsem_v1_ImaPolicyRequest, _tsem_v1_ImaPolicy, _tsem_v1_ImaPolicyRequest__Output, _tsem_v1_ImaPolicy__Output>
  GetLabelModel: MethodDefinition<_tsem_v1_GetLabelModelRequest, _tsem_v1_GetLabelModelResponse, _tsem_v1_GetLabelModelRequest__Output, _tsem_v1_GetLabelModelResponse__Output>
  GetNamespace: MethodDefinition<_tsem_v1_NamespaceRef, _tsem_v1_NamespaceInfo, _tsem_v1_NamespaceRef__Output, _tsem_v1_NamespaceInfo__Output>
  GetPoints: MethodDefinition<_tsem_v1_NamespaceRef, _tsem_v1_PointsResponse, _tsem_v1_NamespaceRef__Output, _tsem_v1_PointsResponse__Output>
  GetRejected: MethodDefinition<_tsem_v1_PageRequest, _tsem_v1_EntriesResponse, _tsem_v1_PageRequest__Output, _tsem_v1_EntriesResponse__Output>
  GetTrajectory: MethodDefinition<_tsem_v1_PageRequest, _tsem_v1_EntriesResponse, _tsem_v1_PageRequest__Output, _tsem_v1_EntriesResponse__Output>
  ListCanisters: MethodDefinition<_tsem_v1_ListCanistersRequest, _tsem_v1_ListCanistersResponse, _tsem_v1_ListCanistersRequest__Output, _tsem_v1_ListCanistersResponse__Output>
  ListFindings: MethodDefinition<_tsem_v1_PageRequest, _tsem_v1_ListFindingsResponse, _tsem_v1_PageRequest__Output, _tsem_v1_ListFindingsResponse__Output>
  ListImaKeys: MethodDefinition<_tsem_v1_ImaKeyringRequest, _tsem_v1_ImaKeyring, _tsem_v1_ImaKeyringRequest__Output, _tsem_v1_ImaKeyring__Output>
  ListLabels: MethodDefinition<_tsem_v1_ListLabelsRequest, _tsem_v1_ListLabelsResponse, _tsem_v1_ListLabelsRequest__Output, _tsem_v1_ListLabelsResponse__Output>
  ListNamespaces: MethodDefinition<_tsem_v1_ListNamespacesRequest, _tsem_v1_ListNamespacesResponse, _tsem_v1_ListNamespacesRequest__Output, _tsem_v1_ListNamespacesResponse__Output>
  ListPoints: MethodDefinition<_tsem_v1_ListPointsRequest, _tsem_v1_ListPointsResponse, _tsem_v1_ListPointsRequest__Output, _tsem_v1_ListPointsResponse__Output>
  LoadModel: MethodDefinition<_tsem_v1_LoadModelRequest, _tsem_v1_NamespaceInfo, _tsem_v1_LoadModelRequest__Output, _tsem_v1_NamespaceInfo__Output>
  RemoveImaKey: MethodDefinition<_tsem_v1_RemoveImaKeyRequest, _tsem_v1_ImaKeyring, _tsem_v1_RemoveImaKeyRequest__Output, _tsem_v1_ImaKeyring__Output>
  RunCanister: MethodDefinition<_tsem_v1_RunCanisterRequest, _tsem_v1_RunCanisterResponse, _tsem_v1_RunCanisterRequest__Output, _tsem_v1_RunCanisterResponse__Output>
  SaveLabelModel: MethodDefinition<_tsem_v1_SaveLabelModelRequest, _tsem_v1_LabelInfo, _tsem_v1_SaveLabelModelRequest__Output, _tsem_v1_LabelInfo__Output>
  SetConvergence: MethodDefinition<_tsem_v1_SetConvergenceRequest, _tsem_v1_ConvergenceResponse, _tsem_v1_SetConvergenceRequest__Output, _tsem_v1_ConvergenceResponse__Output>
  SetImaPolicy: MethodDefinition<_tsem_v1_SetImaPolicyRequest, _tsem_v1_ImaPolicy, _tsem_v1_SetImaPolicyRequest__Output, _tsem_v1_ImaPolicy__Output>
  SetMode: MethodDefinition<_tsem_v1_SetModeRequest, _tsem_v1_NamespaceInfo, _tsem_v1_SetModeRequest__Output, _tsem_v1_NamespaceInfo__Output>
}
