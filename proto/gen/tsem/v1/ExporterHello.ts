// Original file: proto/tsem/v1/tsem.proto


export interface ExporterHello {
  'exporter'?: (string);
  'host'?: (string);
  'exporter_id'?: (string);
  'session'?: (string);
  'verdict_cache'?: (boolean);
}

export interface ExporterHello__Output {
  'exporter': (string);
  'host': (string);
  'exporter_id': (string);
  'session': (string);
  'verdict_cache': (boolean);
}
