/** What subscribers receive: one processed event with its verdict (domain form, not wire). */
import type { Verdict, VerdictKind } from '../ns/namespace-model.js';

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
  /** The event as a kernel trajectory line (formatted on demand). */
  readonly eventJson: () => string;
  readonly timeMs: number;
  readonly alert: boolean;
  /** IMA records for this event, when IMA ran on it. */
  readonly ima?: readonly Record<string, string>[];
}

const ALERT_KINDS: ReadonlySet<VerdictKind> = new Set(['off-contour', 'would-be-off-contour']);

/** Off-contour points and denials are alerts. */
export function isAlert(v: Verdict | undefined): boolean {
  return v !== undefined && (ALERT_KINDS.has(v.kind) || v.action === 'deny');
}
