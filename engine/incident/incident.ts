/**
 * Incidents: the alerts of one task tree grouped into one record with an id stable across
 * restarts (the conventions' "incident"), and the alert-log records that carry each version of an
 * incident to people (open, update, close). Plain JSON, as stored and as the native format sends.
 */
import type { Mode } from '../contour/mode.js';

/** enforce deny > sealed > audit would-be (docs/operations.md §5). */
export type Severity = 'low' | 'medium' | 'high';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];

export type CloseReason = 'quiet' | 'tasks-gone' | 'released' | 'namespace-deleted';

export type Activity = 'open' | 'update' | 'close';

/** One event of an incident, as people read it. */
export interface EventSummary {
  readonly seq: number;
  readonly timeMs: number;
  readonly type: string;
  readonly process: string;
  readonly pid?: number;
  /** The task key (`pid:N`, or `tid:HEX` for kernel sources without pids). */
  readonly task: string;
  /** The verdict kind (`off-contour`, `would-be-off-contour`, `untrusted-task`, …). */
  readonly kind: string;
  readonly action: 'allow' | 'deny';
  readonly coefficient?: string;
  /** The event as a kernel trajectory line, cut to EVENT_TEXT_MAX characters. */
  readonly event: string;
  /** A Landlock denial: the access rights the kernel denied (docs/landlock.md §5). */
  readonly landlock?: string;
}

/** An IMA failure attached once per file and cause (whatever level reported it). */
export interface ImaSummary {
  readonly seq: number;
  readonly filename: string;
  readonly cause: string;
  readonly status: string;
  readonly enforced: boolean;
}

export interface IncidentCounts {
  /** Every event of the incident's tasks. */
  events: number;
  /** Events that were alerts: off-contour, would-be, untrusted-task, denied or IMA failures. */
  alerts: number;
  offContour: number;
  wouldBe: number;
  untrusted: number;
  denied: number;
  ima: number;
  /** Rate-limited incidents only: openings folded into this one. */
  suppressed: number;
}

export interface Incident {
  readonly id: string;
  readonly namespace: string;
  readonly host: string;
  readonly exporter: string;
  status: 'open' | 'closed';
  severity: Severity;
  /** The namespace's mode when the incident opened. */
  readonly mode: Mode;
  readonly title: string;
  /** Openings over the rate limit fold into one such incident per namespace and severity. */
  readonly rateLimited: boolean;
  readonly openedMs: number;
  lastSeenMs: number;
  closedMs?: number;
  closeReason?: CloseReason;
  /** Who released the task tree (`tsem ns release`), when that closed it. */
  releasedBy?: string;
  /** The task whose event opened the incident. */
  readonly root: { readonly task: string; readonly pid?: number; readonly process: string };
  readonly trigger: EventSummary;
  readonly counts: IncidentCounts;
  /** Events by type (at most TYPES_MAX types; the rest under `_other`). */
  readonly types: Record<string, number>;
  /** Task keys attached, first TASKS_LISTED; `taskCount` counts them all. */
  readonly tasks: string[];
  taskCount: number;
  /** The first alert events (trigger first), at most SAMPLES_MAX. */
  readonly samples: EventSummary[];
  /** The first denied actions (by the engine or by a Landlock ruleset), at most SAMPLES_MAX. */
  readonly denials: EventSummary[];
  readonly ima: ImaSummary[];
  /** Records emitted for this incident so far; the record's version. */
  version: number;
}

/** One entry of the persisted alert log: a version of an incident, in log order. */
export interface AlertRecord {
  /** Log sequence number (1-based, engine-wide). */
  readonly seq: number;
  readonly timeMs: number;
  readonly activity: Activity;
  readonly incident: Incident;
}

export const EVENT_TEXT_MAX = 1024;
export const SAMPLES_MAX = 8;
export const TASKS_LISTED = 32;
export const TYPES_MAX = 32;

const RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };
export const maxSeverity = (a: Severity, b: Severity): Severity => (RANK[a] >= RANK[b] ? a : b);
export const severityRank = (s: Severity): number => RANK[s];

/** The stable delivery id of one record: receivers de-duplicate by it. */
export const deliveryId = (r: AlertRecord): string => `${r.incident.id}.${r.incident.version}`;
