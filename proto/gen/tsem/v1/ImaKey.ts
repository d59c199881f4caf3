// Original file: proto/tsem/v1/tsem.proto


export interface ImaKey {
  'keyid'?: (string);
  'kind'?: (string);
  'curve'?: (string);
  'bits'?: (number);
  'source'?: (string);
  'fingerprint'?: (string);
}

export interface ImaKey__Output {
  'keyid': (string);
  'kind': (string);
  'curve': (string);
  'bits': (number);
  'source': (string);
  'fingerprint': (string);
}
