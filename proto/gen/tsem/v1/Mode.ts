// Original file: proto/tsem/v1/tsem.proto

export const Mode = {
  MODE_UNSPECIFIED: 'MODE_UNSPECIFIED',
  MODE_LEARN: 'MODE_LEARN',
  MODE_AUDIT: 'MODE_AUDIT',
  MODE_SEALED: 'MODE_SEALED',
  MODE_ENFORCE: 'MODE_ENFORCE',
} as const;

export type Mode =
  | 'MODE_UNSPECIFIED'
  | 0
  | 'MODE_LEARN'
  | 1
  | 'MODE_AUDIT'
  | 2
  | 'MODE_SEALED'
  | 3
  | 'MODE_ENFORCE'
  | 4

export type Mode__Output = typeof Mode[keyof typeof Mode]
