// Original file: proto/tsem/v1/tsem.proto


export interface Coe {
  'uid'?: (string);
  'euid'?: (string);
  'suid'?: (string);
  'gid'?: (string);
  'egid'?: (string);
  'sgid'?: (string);
  'fsuid'?: (string);
  'fsgid'?: (string);
  'capeff'?: (string);
}

export interface Coe__Output {
  'uid': (string);
  'euid': (string);
  'suid': (string);
  'gid': (string);
  'egid': (string);
  'sgid': (string);
  'fsuid': (string);
  'fsgid': (string);
  'capeff': (string);
}
