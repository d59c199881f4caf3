// Original file: proto/tsem/v1/tsem.proto


export interface AttestationKey {
  'ak_public'?: (Buffer | Uint8Array | string);
  'ak_name'?: (string);
  'ak_handle'?: (number);
  'ak_pem'?: (string);
  'ek_public'?: (Buffer | Uint8Array | string);
  'ek_certificate'?: (Buffer | Uint8Array | string);
}

export interface AttestationKey__Output {
  'ak_public': (Buffer);
  'ak_name': (string);
  'ak_handle': (number);
  'ak_pem': (string);
  'ek_public': (Buffer);
  'ek_certificate': (Buffer);
}
