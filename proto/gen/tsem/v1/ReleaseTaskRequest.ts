// Original file: proto/tsem/v1/tsem.proto


export interface ReleaseTaskRequest {
  'name'?: (string);
  'task'?: (string);
}

export interface ReleaseTaskRequest__Output {
  'name': (string);
  'task': (string);
}
