// Original file: proto/tsem/v1/tsem.proto

export const PointFilter = {
  POINT_FILTER_UNSPECIFIED: 'POINT_FILTER_UNSPECIFIED',
  POINT_FILTER_VALID: 'POINT_FILTER_VALID',
  POINT_FILTER_FORENSIC: 'POINT_FILTER_FORENSIC',
} as const;

export type PointFilter =
  | 'POINT_FILTER_UNSPECIFIED'
  | 0
  | 'POINT_FILTER_VALID'
  | 1
  | 'POINT_FILTER_FORENSIC'
  | 2

export type PointFilter__Output = typeof PointFilter[keyof typeof PointFilter]
