/**
 * The records continuous attestation raises (docs/attestation.md §5), built in this one place so
 * every output (stderr, JSON lines, and the operator's alert outputs) gets the same fields. Pure.
 */

export type WatchKind =
  | 'ak-changed'
  | 'agent-key-changed'
  | 'report-invalid'
  | 'aggregate-changed'
  | 'quote-failed'
  | 'measurement-broken'
  | 'sealed-changed'
  | 'unavailable'
  | 'first'
  | 'growth'
  | 'unchanged';

export type Severity = 'critical' | 'high' | 'info';

/** Which kinds are alerts, and how bad each is; the rest are reported, not alerted. */
const SEVERITY: Readonly<Record<WatchKind, Severity>> = {
  'ak-changed': 'critical',
  'agent-key-changed': 'critical',
  'report-invalid': 'critical',
  'aggregate-changed': 'critical',
  'quote-failed': 'critical',
  'measurement-broken': 'critical',
  'sealed-changed': 'high',
  unavailable: 'high',
  first: 'info',
  growth: 'info',
  unchanged: 'info',
};

/** The namespace's figures a record shows, from the report it is about. */
export interface WatchFigures {
  readonly mode: string;
  readonly points: number;
  readonly forensics: number;
  readonly measurement: string;
  readonly aggregate: string;
  /** The Name of the AK that signed its quote, when there is one. */
  readonly ak?: string;
}

export interface WatchRecord {
  /** 'alert' for the kinds that are alerts; 'report' otherwise. */
  readonly type: 'alert' | 'report';
  readonly kind: WatchKind;
  readonly severity: Severity;
  /** ISO time of the poll. */
  readonly time: string;
  readonly namespace: string;
  readonly reason: string;
  /** Finding ids of the verification behind an alert (`quote.signature`, `pcr.10`, …). */
  readonly findings?: readonly string[];
  readonly figures?: WatchFigures;
}

export function isAlertKind(kind: WatchKind): boolean {
  return SEVERITY[kind] !== 'info';
}

/** One record of the watch: an alert or a report, with its severity. */
export function watchRecord(
  kind: WatchKind,
  namespace: string,
  time: number,
  reason: string,
  extra: { readonly findings?: readonly string[]; readonly figures?: WatchFigures } = {}
): WatchRecord {
  return {
    type: isAlertKind(kind) ? 'alert' : 'report',
    kind,
    severity: SEVERITY[kind],
    time: new Date(time).toISOString(),
    namespace,
    reason,
    ...(extra.findings?.length ? { findings: extra.findings } : {}),
    ...(extra.figures ? { figures: extra.figures } : {}),
  };
}
