/** What subscribers receive: one processed event with its verdict (domain form, not wire). */
import type { Verdict, VerdictKind } from '../ns/namespace-model.js';
import type { StageRecord } from '../ns/stage.js';

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

/** Off-contour points and denials are alerts (a Landlock denial too: see the notice builders). */
export function isAlert(v: Verdict | undefined): boolean {
  return v !== undefined && (ALERT_KINDS.has(v.kind) || v.action === 'deny');
}
