// Original file: proto/tsem/v1/tsem.proto


export interface ReleaseTaskResponse {
  'released'?: (string)[];
  'incidents'?: (string)[];
}

export interface ReleaseTaskResponse__Output {
  'released': (string)[];
  'incidents': (string)[];
}
