/** What subscribers receive: one processed event with its verdict (domain form, not wire). */
import type { Verdict, VerdictKind } from '../ns/namespace-model.js';
import type { StageRecord } from '../ns/stage.js';
import type { EventOrigin, Outcome } from '../ns/pipeline-work.js';

export interface Notice {
  readonly namespace: string;
  readonly host: string;
  readonly exporter: string;
  readonly type: string;
  readonly process: string;
  readonly pid: string;
  /** Undefined for events the engine rejected. */
  readonly verdict?: Verdict;
  readonly error?: string;
  /** A rejected event that was denied (enforce fails closed on lines it cannot parse). */
  readonly deny?: boolean;
  /** The event as a kernel trajectory line (formatted on demand). */
  readonly eventJson: () => string;
  readonly timeMs: number;
  readonly alert: boolean;
  /** What stages reported about this event (IMA records when IMA ran on it). */
  readonly records?: readonly StageRecord[];
  /** A Landlock denial: the access rights the kernel denied (the event header's `landlock`). */
  readonly landlock?: string;
}

const ALERT_KINDS: ReadonlySet<VerdictKind> = new Set(['off-contour', 'would-be-off-contour']);

/** Off-contour points and denials are alerts (a Landlock denial too: see noticeOf). */
export function isAlert(v: Verdict | undefined): boolean {
  return v !== undefined && (ALERT_KINDS.has(v.kind) || v.action === 'deny');
}

/** The notice of one outcome (a verdict, or a rejected event): what the hub and the fleet send. */
export function noticeOf(
  namespace: string,
  origin: EventOrigin,
  o: Outcome,
  timeMs: number
): Notice {
  const ev = o.verdict ? o.event : undefined;
  return {
    namespace,
    host: origin.host,
    exporter: origin.exporter,
    type: ev?.header.type ?? '',
    process: ev?.header.process ?? '',
    pid: ev?.header.pid?.toString() ?? '',
    verdict: o.verdict,
    error: 'error' in o ? o.error : undefined,
    deny: 'error' in o ? o.deny : undefined,
    eventJson: () => ev?.line ?? '',
    timeMs,
    alert:
      isAlert(o.verdict) ||
      ev?.header.landlock !== undefined ||
      ('error' in o && o.alert === true) ||
      (o.verdict !== undefined && o.records?.some((r) => r.alert) === true),
    records: o.verdict ? o.records : undefined,
    ...(ev?.header.landlock !== undefined ? { landlock: ev.header.landlock } : {}),
  };
}
