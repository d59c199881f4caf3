import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AcceptPointsRequest as _tsem_v1_AcceptPointsRequest, AcceptPointsRequest__Output as _tsem_v1_AcceptPointsRequest__Output } from './tsem/v1/AcceptPointsRequest.js';
import type { AcceptPointsResponse as _tsem_v1_AcceptPointsResponse, AcceptPointsResponse__Output as _tsem_v1_AcceptPointsResponse__Output } from './tsem/v1/AcceptPointsResponse.js';
import type { AcceptedPoint as _tsem_v1_AcceptedPoint, AcceptedPoint__Output as _tsem_v1_AcceptedPoint__Output } from './tsem/v1/AcceptedPoint.js';
import type { ActivateCredentialRequest as _tsem_v1_ActivateCredentialRequest, ActivateCredentialRequest__Output as _tsem_v1_ActivateCredentialRequest__Output } from './tsem/v1/ActivateCredentialRequest.js';
import type { ActivateCredentialResponse as _tsem_v1_ActivateCredentialResponse, ActivateCredentialResponse__Output as _tsem_v1_ActivateCredentialResponse__Output } from './tsem/v1/ActivateCredentialResponse.js';
import type { AddImaKeyRequest as _tsem_v1_AddImaKeyRequest, AddImaKeyRequest__Output as _tsem_v1_AddImaKeyRequest__Output } from './tsem/v1/AddImaKeyRequest.js';
import type { AttestReport as _tsem_v1_AttestReport, AttestReport__Output as _tsem_v1_AttestReport__Output } from './tsem/v1/AttestReport.js';
import type { AttestRequest as _tsem_v1_AttestRequest, AttestRequest__Output as _tsem_v1_AttestRequest__Output } from './tsem/v1/AttestRequest.js';
import type { AttestationKey as _tsem_v1_AttestationKey, AttestationKey__Output as _tsem_v1_AttestationKey__Output } from './tsem/v1/AttestationKey.js';
import type { AttestationKeyRequest as _tsem_v1_AttestationKeyRequest, AttestationKeyRequest__Output as _tsem_v1_AttestationKeyRequest__Output } from './tsem/v1/AttestationKeyRequest.js';
import type { BatchResult as _tsem_v1_BatchResult, BatchResult__Output as _tsem_v1_BatchResult__Output } from './tsem/v1/BatchResult.js';
import type { BatchVerdicts as _tsem_v1_BatchVerdicts, BatchVerdicts__Output as _tsem_v1_BatchVerdicts__Output } from './tsem/v1/BatchVerdicts.js';
import type { CanisterFinish as _tsem_v1_CanisterFinish, CanisterFinish__Output as _tsem_v1_CanisterFinish__Output } from './tsem/v1/CanisterFinish.js';
import type { CanisterFinished as _tsem_v1_CanisterFinished, CanisterFinished__Output as _tsem_v1_CanisterFinished__Output } from './tsem/v1/CanisterFinished.js';
import type { CanisterInfo as _tsem_v1_CanisterInfo, CanisterInfo__Output as _tsem_v1_CanisterInfo__Output } from './tsem/v1/CanisterInfo.js';
import type { CanisterLaunched as _tsem_v1_CanisterLaunched, CanisterLaunched__Output as _tsem_v1_CanisterLaunched__Output } from './tsem/v1/CanisterLaunched.js';
import type { CanisterStart as _tsem_v1_CanisterStart, CanisterStart__Output as _tsem_v1_CanisterStart__Output } from './tsem/v1/CanisterStart.js';
import type { CanisterStarted as _tsem_v1_CanisterStarted, CanisterStarted__Output as _tsem_v1_CanisterStarted__Output } from './tsem/v1/CanisterStarted.js';
import type { Coe as _tsem_v1_Coe, Coe__Output as _tsem_v1_Coe__Output } from './tsem/v1/Coe.js';
import type { ControlClient as _tsem_v1_ControlClient, ControlDefinition as _tsem_v1_ControlDefinition } from './tsem/v1/Control.js';
import type { ConvergenceResponse as _tsem_v1_ConvergenceResponse, ConvergenceResponse__Output as _tsem_v1_ConvergenceResponse__Output } from './tsem/v1/ConvergenceResponse.js';
import type { ConvergenceWindow as _tsem_v1_ConvergenceWindow, ConvergenceWindow__Output as _tsem_v1_ConvergenceWindow__Output } from './tsem/v1/ConvergenceWindow.js';
import type { CreateNamespaceRequest as _tsem_v1_CreateNamespaceRequest, CreateNamespaceRequest__Output as _tsem_v1_CreateNamespaceRequest__Output } from './tsem/v1/CreateNamespaceRequest.js';
import type { DecisionsChanged as _tsem_v1_DecisionsChanged, DecisionsChanged__Output as _tsem_v1_DecisionsChanged__Output } from './tsem/v1/DecisionsChanged.js';
import type { DeleteLabelRequest as _tsem_v1_DeleteLabelRequest, DeleteLabelRequest__Output as _tsem_v1_DeleteLabelRequest__Output } from './tsem/v1/DeleteLabelRequest.js';
import type { DeleteLabelResponse as _tsem_v1_DeleteLabelResponse, DeleteLabelResponse__Output as _tsem_v1_DeleteLabelResponse__Output } from './tsem/v1/DeleteLabelResponse.js';
import type { DeleteNamespaceResponse as _tsem_v1_DeleteNamespaceResponse, DeleteNamespaceResponse__Output as _tsem_v1_DeleteNamespaceResponse__Output } from './tsem/v1/DeleteNamespaceResponse.js';
import type { DescriptionField as _tsem_v1_DescriptionField, DescriptionField__Output as _tsem_v1_DescriptionField__Output } from './tsem/v1/DescriptionField.js';
import type { Dropped as _tsem_v1_Dropped, Dropped__Output as _tsem_v1_Dropped__Output } from './tsem/v1/Dropped.js';
import type { EntriesResponse as _tsem_v1_EntriesResponse, EntriesResponse__Output as _tsem_v1_EntriesResponse__Output } from './tsem/v1/EntriesResponse.js';
import type { Entry as _tsem_v1_Entry, Entry__Output as _tsem_v1_Entry__Output } from './tsem/v1/Entry.js';
import type { Event as _tsem_v1_Event, Event__Output as _tsem_v1_Event__Output } from './tsem/v1/Event.js';
import type { EventBatch as _tsem_v1_EventBatch, EventBatch__Output as _tsem_v1_EventBatch__Output } from './tsem/v1/EventBatch.js';
import type { EventHeader as _tsem_v1_EventHeader, EventHeader__Output as _tsem_v1_EventHeader__Output } from './tsem/v1/EventHeader.js';
import type { EventNotice as _tsem_v1_EventNotice, EventNotice__Output as _tsem_v1_EventNotice__Output } from './tsem/v1/EventNotice.js';
import type { ExplainRequest as _tsem_v1_ExplainRequest, ExplainRequest__Output as _tsem_v1_ExplainRequest__Output } from './tsem/v1/ExplainRequest.js';
import type { Explanation as _tsem_v1_Explanation, Explanation__Output as _tsem_v1_Explanation__Output } from './tsem/v1/Explanation.js';
import type { ExportModelRequest as _tsem_v1_ExportModelRequest, ExportModelRequest__Output as _tsem_v1_ExportModelRequest__Output } from './tsem/v1/ExportModelRequest.js';
import type { ExporterHello as _tsem_v1_ExporterHello, ExporterHello__Output as _tsem_v1_ExporterHello__Output } from './tsem/v1/ExporterHello.js';
import type { FieldDifference as _tsem_v1_FieldDifference, FieldDifference__Output as _tsem_v1_FieldDifference__Output } from './tsem/v1/FieldDifference.js';
import type { Gap as _tsem_v1_Gap, Gap__Output as _tsem_v1_Gap__Output } from './tsem/v1/Gap.js';
import type { GetLabelModelRequest as _tsem_v1_GetLabelModelRequest, GetLabelModelRequest__Output as _tsem_v1_GetLabelModelRequest__Output } from './tsem/v1/GetLabelModelRequest.js';
import type { GetLabelModelResponse as _tsem_v1_GetLabelModelResponse, GetLabelModelResponse__Output as _tsem_v1_GetLabelModelResponse__Output } from './tsem/v1/GetLabelModelResponse.js';
import type { GetVersionRequest as _tsem_v1_GetVersionRequest, GetVersionRequest__Output as _tsem_v1_GetVersionRequest__Output } from './tsem/v1/GetVersionRequest.js';
import type { ImaKey as _tsem_v1_ImaKey, ImaKey__Output as _tsem_v1_ImaKey__Output } from './tsem/v1/ImaKey.js';
import type { ImaKeyring as _tsem_v1_ImaKeyring, ImaKeyring__Output as _tsem_v1_ImaKeyring__Output } from './tsem/v1/ImaKeyring.js';
import type { ImaKeyringRequest as _tsem_v1_ImaKeyringRequest, ImaKeyringRequest__Output as _tsem_v1_ImaKeyringRequest__Output } from './tsem/v1/ImaKeyringRequest.js';
import type { ImaLog as _tsem_v1_ImaLog, ImaLog__Output as _tsem_v1_ImaLog__Output } from './tsem/v1/ImaLog.js';
import type { ImaLogRequest as _tsem_v1_ImaLogRequest, ImaLogRequest__Output as _tsem_v1_ImaLogRequest__Output } from './tsem/v1/ImaLogRequest.js';
import type { ImaPolicy as _tsem_v1_ImaPolicy, ImaPolicy__Output as _tsem_v1_ImaPolicy__Output } from './tsem/v1/ImaPolicy.js';
import type { ImaPolicyRequest as _tsem_v1_ImaPolicyRequest, ImaPolicyRequest__Output as _tsem_v1_ImaPolicyRequest__Output } from './tsem/v1/ImaPolicyRequest.js';
import type { Incident as _tsem_v1_Incident, Incident__Output as _tsem_v1_Incident__Output } from './tsem/v1/Incident.js';
import type { IngestClient as _tsem_v1_IngestClient, IngestDefinition as _tsem_v1_IngestDefinition } from './tsem/v1/Ingest.js';
import type { IngestRequest as _tsem_v1_IngestRequest, IngestRequest__Output as _tsem_v1_IngestRequest__Output } from './tsem/v1/IngestRequest.js';
import type { IngestResponse as _tsem_v1_IngestResponse, IngestResponse__Output as _tsem_v1_IngestResponse__Output } from './tsem/v1/IngestResponse.js';
import type { LabelInfo as _tsem_v1_LabelInfo, LabelInfo__Output as _tsem_v1_LabelInfo__Output } from './tsem/v1/LabelInfo.js';
import type { LineBlock as _tsem_v1_LineBlock, LineBlock__Output as _tsem_v1_LineBlock__Output } from './tsem/v1/LineBlock.js';
import type { LineError as _tsem_v1_LineError, LineError__Output as _tsem_v1_LineError__Output } from './tsem/v1/LineError.js';
import type { ListCanistersRequest as _tsem_v1_ListCanistersRequest, ListCanistersRequest__Output as _tsem_v1_ListCanistersRequest__Output } from './tsem/v1/ListCanistersRequest.js';
import type { ListCanistersResponse as _tsem_v1_ListCanistersResponse, ListCanistersResponse__Output as _tsem_v1_ListCanistersResponse__Output } from './tsem/v1/ListCanistersResponse.js';
import type { ListFindingsResponse as _tsem_v1_ListFindingsResponse, ListFindingsResponse__Output as _tsem_v1_ListFindingsResponse__Output } from './tsem/v1/ListFindingsResponse.js';
import type { ListIncidentsRequest as _tsem_v1_ListIncidentsRequest, ListIncidentsRequest__Output as _tsem_v1_ListIncidentsRequest__Output } from './tsem/v1/ListIncidentsRequest.js';
import type { ListIncidentsResponse as _tsem_v1_ListIncidentsResponse, ListIncidentsResponse__Output as _tsem_v1_ListIncidentsResponse__Output } from './tsem/v1/ListIncidentsResponse.js';
import type { ListLabelsRequest as _tsem_v1_ListLabelsRequest, ListLabelsRequest__Output as _tsem_v1_ListLabelsRequest__Output } from './tsem/v1/ListLabelsRequest.js';
import type { ListLabelsResponse as _tsem_v1_ListLabelsResponse, ListLabelsResponse__Output as _tsem_v1_ListLabelsResponse__Output } from './tsem/v1/ListLabelsResponse.js';
import type { ListNamespacesRequest as _tsem_v1_ListNamespacesRequest, ListNamespacesRequest__Output as _tsem_v1_ListNamespacesRequest__Output } from './tsem/v1/ListNamespacesRequest.js';
import type { ListNamespacesResponse as _tsem_v1_ListNamespacesResponse, ListNamespacesResponse__Output as _tsem_v1_ListNamespacesResponse__Output } from './tsem/v1/ListNamespacesResponse.js';
import type { ListPointsRequest as _tsem_v1_ListPointsRequest, ListPointsRequest__Output as _tsem_v1_ListPointsRequest__Output } from './tsem/v1/ListPointsRequest.js';
import type { ListPointsResponse as _tsem_v1_ListPointsResponse, ListPointsResponse__Output as _tsem_v1_ListPointsResponse__Output } from './tsem/v1/ListPointsResponse.js';
import type { ListTasksRequest as _tsem_v1_ListTasksRequest, ListTasksRequest__Output as _tsem_v1_ListTasksRequest__Output } from './tsem/v1/ListTasksRequest.js';
import type { ListTasksResponse as _tsem_v1_ListTasksResponse, ListTasksResponse__Output as _tsem_v1_ListTasksResponse__Output } from './tsem/v1/ListTasksResponse.js';
import type { LoadModelRequest as _tsem_v1_LoadModelRequest, LoadModelRequest__Output as _tsem_v1_LoadModelRequest__Output } from './tsem/v1/LoadModelRequest.js';
import type { ModelText as _tsem_v1_ModelText, ModelText__Output as _tsem_v1_ModelText__Output } from './tsem/v1/ModelText.js';
import type { MonitorClient as _tsem_v1_MonitorClient, MonitorDefinition as _tsem_v1_MonitorDefinition } from './tsem/v1/Monitor.js';
import type { MonitorMessage as _tsem_v1_MonitorMessage, MonitorMessage__Output as _tsem_v1_MonitorMessage__Output } from './tsem/v1/MonitorMessage.js';
import type { NamespaceInfo as _tsem_v1_NamespaceInfo, NamespaceInfo__Output as _tsem_v1_NamespaceInfo__Output } from './tsem/v1/NamespaceInfo.js';
import type { NamespaceRef as _tsem_v1_NamespaceRef, NamespaceRef__Output as _tsem_v1_NamespaceRef__Output } from './tsem/v1/NamespaceRef.js';
import type { Neighbor as _tsem_v1_Neighbor, Neighbor__Output as _tsem_v1_Neighbor__Output } from './tsem/v1/Neighbor.js';
import type { OperationsClient as _tsem_v1_OperationsClient, OperationsDefinition as _tsem_v1_OperationsDefinition } from './tsem/v1/Operations.js';
import type { PackedVerdicts as _tsem_v1_PackedVerdicts, PackedVerdicts__Output as _tsem_v1_PackedVerdicts__Output } from './tsem/v1/PackedVerdicts.js';
import type { PageRequest as _tsem_v1_PageRequest, PageRequest__Output as _tsem_v1_PageRequest__Output } from './tsem/v1/PageRequest.js';
import type { Point as _tsem_v1_Point, Point__Output as _tsem_v1_Point__Output } from './tsem/v1/Point.js';
import type { PointDescription as _tsem_v1_PointDescription, PointDescription__Output as _tsem_v1_PointDescription__Output } from './tsem/v1/PointDescription.js';
import type { PointsResponse as _tsem_v1_PointsResponse, PointsResponse__Output as _tsem_v1_PointsResponse__Output } from './tsem/v1/PointsResponse.js';
import type { ReleaseTaskRequest as _tsem_v1_ReleaseTaskRequest, ReleaseTaskRequest__Output as _tsem_v1_ReleaseTaskRequest__Output } from './tsem/v1/ReleaseTaskRequest.js';
import type { ReleaseTaskResponse as _tsem_v1_ReleaseTaskResponse, ReleaseTaskResponse__Output as _tsem_v1_ReleaseTaskResponse__Output } from './tsem/v1/ReleaseTaskResponse.js';
import type { RemoveImaKeyRequest as _tsem_v1_RemoveImaKeyRequest, RemoveImaKeyRequest__Output as _tsem_v1_RemoveImaKeyRequest__Output } from './tsem/v1/RemoveImaKeyRequest.js';
import type { ResumePoint as _tsem_v1_ResumePoint, ResumePoint__Output as _tsem_v1_ResumePoint__Output } from './tsem/v1/ResumePoint.js';
import type { RunCanisterRequest as _tsem_v1_RunCanisterRequest, RunCanisterRequest__Output as _tsem_v1_RunCanisterRequest__Output } from './tsem/v1/RunCanisterRequest.js';
import type { RunCanisterResponse as _tsem_v1_RunCanisterResponse, RunCanisterResponse__Output as _tsem_v1_RunCanisterResponse__Output } from './tsem/v1/RunCanisterResponse.js';
import type { SaveLabelModelRequest as _tsem_v1_SaveLabelModelRequest, SaveLabelModelRequest__Output as _tsem_v1_SaveLabelModelRequest__Output } from './tsem/v1/SaveLabelModelRequest.js';
import type { SetConvergenceRequest as _tsem_v1_SetConvergenceRequest, SetConvergenceRequest__Output as _tsem_v1_SetConvergenceRequest__Output } from './tsem/v1/SetConvergenceRequest.js';
import type { SetImaPolicyRequest as _tsem_v1_SetImaPolicyRequest, SetImaPolicyRequest__Output as _tsem_v1_SetImaPolicyRequest__Output } from './tsem/v1/SetImaPolicyRequest.js';
import type { SetModeRequest as _tsem_v1_SetModeRequest, SetModeRequest__Output as _tsem_v1_SetModeRequest__Output } from './tsem/v1/SetModeRequest.js';
import type { SourceDrop as _tsem_v1_SourceDrop, SourceDrop__Output as _tsem_v1_SourceDrop__Output } from './tsem/v1/SourceDrop.js';
import type { StructuredEvent as _tsem_v1_StructuredEvent, StructuredEvent__Output as _tsem_v1_StructuredEvent__Output } from './tsem/v1/StructuredEvent.js';
import type { SubscribeRequest as _tsem_v1_SubscribeRequest, SubscribeRequest__Output as _tsem_v1_SubscribeRequest__Output } from './tsem/v1/SubscribeRequest.js';
import type { TaskInfo as _tsem_v1_TaskInfo, TaskInfo__Output as _tsem_v1_TaskInfo__Output } from './tsem/v1/TaskInfo.js';
import type { Verdict as _tsem_v1_Verdict, Verdict__Output as _tsem_v1_Verdict__Output } from './tsem/v1/Verdict.js';
import type { VersionInfo as _tsem_v1_VersionInfo, VersionInfo__Output as _tsem_v1_VersionInfo__Output } from './tsem/v1/VersionInfo.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tsem: {
    v1: {
      AcceptPointsRequest: MessageTypeDefinition<_tsem_v1_AcceptPointsRequest, _tsem_v1_AcceptPointsRequest__Output>
      AcceptPointsResponse: MessageTypeDefinition<_tsem_v1_AcceptPointsResponse, _tsem_v1_AcceptPointsResponse__Output>
      AcceptedPoint: MessageTypeDefinition<_tsem_v1_AcceptedPoint, _tsem_v1_AcceptedPoint__Output>
      Action: EnumTypeDefinition
      ActivateCredentialRequest: MessageTypeDefinition<_tsem_v1_ActivateCredentialRequest, _tsem_v1_ActivateCredentialRequest__Output>
      ActivateCredentialResponse: MessageTypeDefinition<_tsem_v1_ActivateCredentialResponse, _tsem_v1_ActivateCredentialResponse__Output>
      AddImaKeyRequest: MessageTypeDefinition<_tsem_v1_AddImaKeyRequest, _tsem_v1_AddImaKeyRequest__Output>
      AttestReport: MessageTypeDefinition<_tsem_v1_AttestReport, _tsem_v1_AttestReport__Output>
      AttestRequest: MessageTypeDefinition<_tsem_v1_AttestRequest, _tsem_v1_AttestRequest__Output>
      AttestationKey: MessageTypeDefinition<_tsem_v1_AttestationKey, _tsem_v1_AttestationKey__Output>
      AttestationKeyRequest: MessageTypeDefinition<_tsem_v1_AttestationKeyRequest, _tsem_v1_AttestationKeyRequest__Output>
      BatchResult: MessageTypeDefinition<_tsem_v1_BatchResult, _tsem_v1_BatchResult__Output>
      BatchVerdicts: MessageTypeDefinition<_tsem_v1_BatchVerdicts, _tsem_v1_BatchVerdicts__Output>
      CanisterFinish: MessageTypeDefinition<_tsem_v1_CanisterFinish, _tsem_v1_CanisterFinish__Output>
      CanisterFinished: MessageTypeDefinition<_tsem_v1_CanisterFinished, _tsem_v1_CanisterFinished__Output>
      CanisterInfo: MessageTypeDefinition<_tsem_v1_CanisterInfo, _tsem_v1_CanisterInfo__Output>
      CanisterLaunched: MessageTypeDefinition<_tsem_v1_CanisterLaunched, _tsem_v1_CanisterLaunched__Output>
      CanisterStart: MessageTypeDefinition<_tsem_v1_CanisterStart, _tsem_v1_CanisterStart__Output>
      CanisterStarted: MessageTypeDefinition<_tsem_v1_CanisterStarted, _tsem_v1_CanisterStarted__Output>
      Coe: MessageTypeDefinition<_tsem_v1_Coe, _tsem_v1_Coe__Output>
      Control: SubtypeConstructor<typeof grpc.Client, _tsem_v1_ControlClient> & { service: _tsem_v1_ControlDefinition }
      ConvergenceResponse: MessageTypeDefinition<_tsem_v1_ConvergenceResponse, _tsem_v1_ConvergenceResponse__Output>
      ConvergenceWindow: MessageTypeDefinition<_tsem_v1_ConvergenceWindow, _tsem_v1_ConvergenceWindow__Output>
      CreateNamespaceRequest: MessageTypeDefinition<_tsem_v1_CreateNamespaceRequest, _tsem_v1_CreateNamespaceRequest__Output>
      DecisionsChanged: MessageTypeDefinition<_tsem_v1_DecisionsChanged, _tsem_v1_DecisionsChanged__Output>
      DeleteLabelRequest: MessageTypeDefinition<_tsem_v1_DeleteLabelRequest, _tsem_v1_DeleteLabelRequest__Output>
      DeleteLabelResponse: MessageTypeDefinition<_tsem_v1_DeleteLabelResponse, _tsem_v1_DeleteLabelResponse__Output>
      DeleteNamespaceResponse: MessageTypeDefinition<_tsem_v1_DeleteNamespaceResponse, _tsem_v1_DeleteNamespaceResponse__Output>
      DescriptionField: MessageTypeDefinition<_tsem_v1_DescriptionField, _tsem_v1_DescriptionField__Output>
      Dropped: MessageTypeDefinition<_tsem_v1_Dropped, _tsem_v1_Dropped__Output>
      EntriesResponse: MessageTypeDefinition<_tsem_v1_EntriesResponse, _tsem_v1_EntriesResponse__Output>
      Entry: MessageTypeDefinition<_tsem_v1_Entry, _tsem_v1_Entry__Output>
      Event: MessageTypeDefinition<_tsem_v1_Event, _tsem_v1_Event__Output>
      EventBatch: MessageTypeDefinition<_tsem_v1_EventBatch, _tsem_v1_EventBatch__Output>
      EventHeader: MessageTypeDefinition<_tsem_v1_EventHeader, _tsem_v1_EventHeader__Output>
      EventNotice: MessageTypeDefinition<_tsem_v1_EventNotice, _tsem_v1_EventNotice__Output>
      ExplainRequest: MessageTypeDefinition<_tsem_v1_ExplainRequest, _tsem_v1_ExplainRequest__Output>
      Explanation: MessageTypeDefinition<_tsem_v1_Explanation, _tsem_v1_Explanation__Output>
      ExportModelRequest: MessageTypeDefinition<_tsem_v1_ExportModelRequest, _tsem_v1_ExportModelRequest__Output>
      ExporterHello: MessageTypeDefinition<_tsem_v1_ExporterHello, _tsem_v1_ExporterHello__Output>
      FieldDifference: MessageTypeDefinition<_tsem_v1_FieldDifference, _tsem_v1_FieldDifference__Output>
      Gap: MessageTypeDefinition<_tsem_v1_Gap, _tsem_v1_Gap__Output>
      GetLabelModelRequest: MessageTypeDefinition<_tsem_v1_GetLabelModelRequest, _tsem_v1_GetLabelModelRequest__Output>
      GetLabelModelResponse: MessageTypeDefinition<_tsem_v1_GetLabelModelResponse, _tsem_v1_GetLabelModelResponse__Output>
      GetVersionRequest: MessageTypeDefinition<_tsem_v1_GetVersionRequest, _tsem_v1_GetVersionRequest__Output>
      ImaKey: MessageTypeDefinition<_tsem_v1_ImaKey, _tsem_v1_ImaKey__Output>
      ImaKeyring: MessageTypeDefinition<_tsem_v1_ImaKeyring, _tsem_v1_ImaKeyring__Output>
      ImaKeyringRequest: MessageTypeDefinition<_tsem_v1_ImaKeyringRequest, _tsem_v1_ImaKeyringRequest__Output>
      ImaLog: MessageTypeDefinition<_tsem_v1_ImaLog, _tsem_v1_ImaLog__Output>
      ImaLogRequest: MessageTypeDefinition<_tsem_v1_ImaLogRequest, _tsem_v1_ImaLogRequest__Output>
      ImaPolicy: MessageTypeDefinition<_tsem_v1_ImaPolicy, _tsem_v1_ImaPolicy__Output>
      ImaPolicyRequest: MessageTypeDefinition<_tsem_v1_ImaPolicyRequest, _tsem_v1_ImaPolicyRequest__Output>
      Incident: MessageTypeDefinition<_tsem_v1_Incident, _tsem_v1_Incident__Output>
      Ingest: SubtypeConstructor<typeof grpc.Client, _tsem_v1_IngestClient> & { service: _tsem_v1_IngestDefinition }
      IngestRequest: MessageTypeDefinition<_tsem_v1_IngestRequest, _tsem_v1_IngestRequest__Output>
      IngestResponse: MessageTypeDefinition<_tsem_v1_IngestResponse, _tsem_v1_IngestResponse__Output>
      LabelInfo: MessageTypeDefinition<_tsem_v1_LabelInfo, _tsem_v1_LabelInfo__Output>
      LineBlock: MessageTypeDefinition<_tsem_v1_LineBlock, _tsem_v1_LineBlock__Output>
      LineError: MessageTypeDefinition<_tsem_v1_LineError, _tsem_v1_LineError__Output>
      ListCanistersRequest: MessageTypeDefinition<_tsem_v1_ListCanistersRequest, _tsem_v1_ListCanistersRequest__Output>
      ListCanistersResponse: MessageTypeDefinition<_tsem_v1_ListCanistersResponse, _tsem_v1_ListCanistersResponse__Output>
      ListFindingsResponse: MessageTypeDefinition<_tsem_v1_ListFindingsResponse, _tsem_v1_ListFindingsResponse__Output>
      ListIncidentsRequest: MessageTypeDefinition<_tsem_v1_ListIncidentsRequest, _tsem_v1_ListIncidentsRequest__Output>
      ListIncidentsResponse: MessageTypeDefinition<_tsem_v1_ListIncidentsResponse, _tsem_v1_ListIncidentsResponse__Output>
      ListLabelsRequest: MessageTypeDefinition<_tsem_v1_ListLabelsRequest, _tsem_v1_ListLabelsRequest__Output>
      ListLabelsResponse: MessageTypeDefinition<_tsem_v1_ListLabelsResponse, _tsem_v1_ListLabelsResponse__Output>
      ListNamespacesRequest: MessageTypeDefinition<_tsem_v1_ListNamespacesRequest, _tsem_v1_ListNamespacesRequest__Output>
      ListNamespacesResponse: MessageTypeDefinition<_tsem_v1_ListNamespacesResponse, _tsem_v1_ListNamespacesResponse__Output>
      ListPointsRequest: MessageTypeDefinition<_tsem_v1_ListPointsRequest, _tsem_v1_ListPointsRequest__Output>
      ListPointsResponse: MessageTypeDefinition<_tsem_v1_ListPointsResponse, _tsem_v1_ListPointsResponse__Output>
      ListTasksRequest: MessageTypeDefinition<_tsem_v1_ListTasksRequest, _tsem_v1_ListTasksRequest__Output>
      ListTasksResponse: MessageTypeDefinition<_tsem_v1_ListTasksResponse, _tsem_v1_ListTasksResponse__Output>
      LoadModelRequest: MessageTypeDefinition<_tsem_v1_LoadModelRequest, _tsem_v1_LoadModelRequest__Output>
      Mode: EnumTypeDefinition
      ModelText: MessageTypeDefinition<_tsem_v1_ModelText, _tsem_v1_ModelText__Output>
      Monitor: SubtypeConstructor<typeof grpc.Client, _tsem_v1_MonitorClient> & { service: _tsem_v1_MonitorDefinition }
      MonitorMessage: MessageTypeDefinition<_tsem_v1_MonitorMessage, _tsem_v1_MonitorMessage__Output>
      NamespaceInfo: MessageTypeDefinition<_tsem_v1_NamespaceInfo, _tsem_v1_NamespaceInfo__Output>
      NamespaceRef: MessageTypeDefinition<_tsem_v1_NamespaceRef, _tsem_v1_NamespaceRef__Output>
      Neighbor: MessageTypeDefinition<_tsem_v1_Neighbor, _tsem_v1_Neighbor__Output>
      Operations: SubtypeConstructor<typeof grpc.Client, _tsem_v1_OperationsClient> & { service: _tsem_v1_OperationsDefinition }
      PackedVerdicts: MessageTypeDefinition<_tsem_v1_PackedVerdicts, _tsem_v1_PackedVerdicts__Output>
      PageRequest: MessageTypeDefinition<_tsem_v1_PageRequest, _tsem_v1_PageRequest__Output>
      Point: MessageTypeDefinition<_tsem_v1_Point, _tsem_v1_Point__Output>
      PointDescription: MessageTypeDefinition<_tsem_v1_PointDescription, _tsem_v1_PointDescription__Output>
      PointFilter: EnumTypeDefinition
      PointStatus: EnumTypeDefinition
      PointsResponse: MessageTypeDefinition<_tsem_v1_PointsResponse, _tsem_v1_PointsResponse__Output>
      ReleaseTaskRequest: MessageTypeDefinition<_tsem_v1_ReleaseTaskRequest, _tsem_v1_ReleaseTaskRequest__Output>
      ReleaseTaskResponse: MessageTypeDefinition<_tsem_v1_ReleaseTaskResponse, _tsem_v1_ReleaseTaskResponse__Output>
      RemoveImaKeyRequest: MessageTypeDefinition<_tsem_v1_RemoveImaKeyRequest, _tsem_v1_RemoveImaKeyRequest__Output>
      ResumePoint: MessageTypeDefinition<_tsem_v1_ResumePoint, _tsem_v1_ResumePoint__Output>
      RunCanisterRequest: MessageTypeDefinition<_tsem_v1_RunCanisterRequest, _tsem_v1_RunCanisterRequest__Output>
      RunCanisterResponse: MessageTypeDefinition<_tsem_v1_RunCanisterResponse, _tsem_v1_RunCanisterResponse__Output>
      SaveLabelModelRequest: MessageTypeDefinition<_tsem_v1_SaveLabelModelRequest, _tsem_v1_SaveLabelModelRequest__Output>
      SetConvergenceRequest: MessageTypeDefinition<_tsem_v1_SetConvergenceRequest, _tsem_v1_SetConvergenceRequest__Output>
      SetImaPolicyRequest: MessageTypeDefinition<_tsem_v1_SetImaPolicyRequest, _tsem_v1_SetImaPolicyRequest__Output>
      SetModeRequest: MessageTypeDefinition<_tsem_v1_SetModeRequest, _tsem_v1_SetModeRequest__Output>
      SourceDrop: MessageTypeDefinition<_tsem_v1_SourceDrop, _tsem_v1_SourceDrop__Output>
      StructuredEvent: MessageTypeDefinition<_tsem_v1_StructuredEvent, _tsem_v1_StructuredEvent__Output>
      SubscribeRequest: MessageTypeDefinition<_tsem_v1_SubscribeRequest, _tsem_v1_SubscribeRequest__Output>
      TaskInfo: MessageTypeDefinition<_tsem_v1_TaskInfo, _tsem_v1_TaskInfo__Output>
      Verdict: MessageTypeDefinition<_tsem_v1_Verdict, _tsem_v1_Verdict__Output>
      VerdictKind: EnumTypeDefinition
      VersionInfo: MessageTypeDefinition<_tsem_v1_VersionInfo, _tsem_v1_VersionInfo__Output>
    }
  }
}

