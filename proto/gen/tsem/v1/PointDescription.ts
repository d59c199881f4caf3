// Original file: proto/tsem/v1/tsem.proto

import type { DescriptionField as _tsem_v1_DescriptionField, DescriptionField__Output as _tsem_v1_DescriptionField__Output } from '../../tsem/v1/DescriptionField.js';

export interface PointDescription {
  'type'?: (string);
  'process'?: (string);
  'task_id'?: (string);
  'p_task_id'?: (string);
  'coe'?: ({[key: string]: string});
  'cell_json'?: (string);
  'fields'?: (_tsem_v1_DescriptionField)[];
}

export interface PointDescription__Output {
  'type': (string);
  'process': (string);
  'task_id': (string);
  'p_task_id': (string);
  'coe': ({[key: string]: string});
  'cell_json': (string);
  'fields': (_tsem_v1_DescriptionField__Output)[];
}
