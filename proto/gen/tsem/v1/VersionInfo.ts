// Original file: proto/tsem/v1/tsem.proto


export interface VersionInfo {
  'name'?: (string);
  'version'?: (string);
  'node'?: (string);
  'store_format'?: (string);
}

export interface VersionInfo__Output {
  'name': (string);
  'version': (string);
  'node': (string);
  'store_format': (string);
}
