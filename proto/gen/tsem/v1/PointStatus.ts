// Original file: proto/tsem/v1/tsem.proto

export const PointStatus = {
  POINT_STATUS_UNSPECIFIED: 'POINT_STATUS_UNSPECIFIED',
  POINT_STATUS_VALID: 'POINT_STATUS_VALID',
  POINT_STATUS_FORENSIC: 'POINT_STATUS_FORENSIC',
  POINT_STATUS_FINDING: 'POINT_STATUS_FINDING',
} as const;

export type PointStatus =
  | 'POINT_STATUS_UNSPECIFIED'
  | 0
  | 'POINT_STATUS_VALID'
  | 1
  | 'POINT_STATUS_FORENSIC'
  | 2
  | 'POINT_STATUS_FINDING'
  | 3

export type PointStatus__Output = typeof PointStatus[keyof typeof PointStatus]
