/**
 * The records continuous attestation raises (docs/attestation.md §5), built in this one place so
 * every output (stderr, JSON lines, and the operator's alert outputs) gets the same fields. Pure.
 */
import { createHash } from 'node:crypto';
import {
  type AlertRecord,
  EVENT_TEXT_MAX,
  type EventSummary,
  type Incident,
  type Severity as IncidentSeverity,
} from '../incident/incident.js';

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

const INCIDENT_SEVERITY: Readonly<Record<Severity, IncidentSeverity>> = {
  critical: 'high',
  high: 'medium',
  info: 'low',
};

/**
 * An alert of the watch as a record of the operator outputs (engine/alert: webhook, syslog, file;
 * native, OCSF or ECS): an incident of its own that opens with the alert, whose trigger names the
 * attestation and carries the whole watch record as its event text. `server` names where the
 * report came from (the incident's host); `seq` numbers the records this watch sent.
 */
export function attestationAlertRecord(r: WatchRecord, server: string, seq: number): AlertRecord {
  const timeMs = Date.parse(r.time);
  const id = createHash('sha256')
    .update(`${server}\0${r.namespace}\0${r.kind}\0${r.time}`)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');
  const trigger: EventSummary = {
    seq: 0,
    timeMs,
    type: 'attestation',
    process: 'tsem attest watch',
    task: 'attestation',
    kind: r.kind,
    action: 'allow',
    event: JSON.stringify(r).slice(0, EVENT_TEXT_MAX),
  };
  const mode = r.figures?.mode;
  const incident: Incident = {
    id,
    namespace: r.namespace,
    host: server,
    exporter: 'attest-watch',
    status: 'open',
    severity: INCIDENT_SEVERITY[r.severity],
    mode: mode === 'audit' || mode === 'sealed' || mode === 'enforce' ? mode : 'learn',
    title: `attestation ${r.kind} in ${r.namespace}: ${r.reason}`.slice(0, 200),
    rateLimited: false,
    openedMs: timeMs,
    lastSeenMs: timeMs,
    root: { task: 'attestation', process: 'tsem attest watch' },
    trigger,
    counts: {
      events: 1,
      alerts: 1,
      offContour: 0,
      wouldBe: 0,
      untrusted: 0,
      denied: 0,
      ima: 0,
      suppressed: 0,
    },
    types: { attestation: 1 },
    tasks: [],
    taskCount: 0,
    samples: [trigger],
    denials: [],
    ima: [],
    version: 1,
  };
  return { seq, timeMs, activity: 'open', incident };
}
