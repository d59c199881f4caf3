// Original file: proto/tsem/v1/tsem.proto


export interface ExportModelRequest {
  'name'?: (string);
  'include_forensics'?: (boolean);
  'pure_quixote'?: (boolean);
}

export interface ExportModelRequest__Output {
  'name': (string);
  'include_forensics': (boolean);
  'pure_quixote': (boolean);
}
