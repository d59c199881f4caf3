// Original file: proto/tsem/v1/tsem.proto


export interface CanisterFinish {
  'exit_status'?: (number);
  'save_label'?: (boolean);
  'settle_ms'?: (number);
}

export interface CanisterFinish__Output {
  'exit_status': (number);
  'save_label': (boolean);
  'settle_ms': (number);
}
