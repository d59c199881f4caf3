// Original file: proto/tsem/v1/tsem.proto

import type { TaskInfo as _tsem_v1_TaskInfo, TaskInfo__Output as _tsem_v1_TaskInfo__Output } from '../../tsem/v1/TaskInfo.js';

export interface ListTasksResponse {
  'tasks'?: (_tsem_v1_TaskInfo)[];
}

export interface ListTasksResponse__Output {
  'tasks': (_tsem_v1_TaskInfo__Output)[];
}
