// Original file: proto/tsem/v1/tsem.proto


export interface AttestReport {
  'report_json'?: (string);
}

export interface AttestReport__Output {
  'report_json': (string);
}
