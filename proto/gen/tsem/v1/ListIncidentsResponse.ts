// Original file: proto/tsem/v1/tsem.proto

import type { Incident as _tsem_v1_Incident, Incident__Output as _tsem_v1_Incident__Output } from '../../tsem/v1/Incident.js';

export interface ListIncidentsResponse {
  'incidents'?: (_tsem_v1_Incident)[];
}

export interface ListIncidentsResponse__Output {
  'incidents': (_tsem_v1_Incident__Output)[];
}
