// Original file: proto/tsem/v1/tsem.proto


export interface EventHeader {
  'pid'?: (string);
  'tnum'?: (string);
  'context'?: (string);
  'number'?: (string);
  'process'?: (string);
  'type'?: (string);
  'ttd'?: (string);
  'p_ttd'?: (string);
  'task_id'?: (string);
  'p_task_id'?: (string);
  'ts'?: (string);
  'ppid'?: (string);
  'start'?: (string);
  'landlock'?: (string);
}

export interface EventHeader__Output {
  'pid': (string);
  'tnum': (string);
  'context': (string);
  'number': (string);
  'process': (string);
  'type': (string);
  'ttd': (string);
  'p_ttd': (string);
  'task_id': (string);
  'p_task_id': (string);
  'ts': (string);
  'ppid': (string);
  'start': (string);
  'landlock': (string);
}
