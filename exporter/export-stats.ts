/** What an Ingest export counted: events sent and acknowledged, verdicts by kind. Pure. */
import type { Verdict__Output as WireVerdict } from '../proto/gen/tsem/v1/Verdict.js';
import type { VerdictKind__Output } from '../proto/gen/tsem/v1/VerdictKind.js';

/** Error messages of rejected events kept for the report; the rest are only counted. */
export const ERROR_SAMPLES_MAX = 5;

export interface ExportStats {
  /** Events written to the stream. */
  sent: number;
  /** Events whose batch the server acknowledged (persisted). */
  acked: number;
  /** Batches written. */
  batches: number;
  /** Acknowledged verdicts by wire kind. */
  readonly kinds: Partial<Record<VerdictKind__Output, number>>;
  /** Verdicts with action DENY. */
  denied: number;
  /** Verdicts of kind ERROR (events the server rejected). */
  errors: number;
  /** Verdicts of kind DUPLICATE: events sent again after a lost acknowledgement, which the
   * engine had applied already (counted once there). */
  duplicates: number;
  /** The first few ERROR verdicts' messages, prefixed with the event's position in the input. */
  readonly errorSamples: string[];
}

export function createExportStats(): ExportStats {
  return {
    sent: 0,
    acked: 0,
    batches: 0,
    kinds: {},
    denied: 0,
    errors: 0,
    duplicates: 0,
    errorSamples: [],
  };
}

/** Counts one acknowledged verdict; `position` is the event's 0-based index in the input. */
export function countVerdict(stats: ExportStats, v: WireVerdict, position: number): void {
  stats.kinds[v.kind] = (stats.kinds[v.kind] ?? 0) + 1;
  if (v.action === 'ACTION_DENY') stats.denied++;
  if (v.kind === 'VERDICT_KIND_DUPLICATE') stats.duplicates++;
  if (v.kind === 'VERDICT_KIND_ERROR') {
    stats.errors++;
    if (stats.errorSamples.length < ERROR_SAMPLES_MAX)
      stats.errorSamples.push(`event ${position}: ${v.error || 'rejected'}`);
  }
}

/** Events the engine found something about: off-contour (both kinds, each an unknown point). */
export function offContourCount(s: ExportStats): number {
  return (
    (s.kinds['VERDICT_KIND_OFF_CONTOUR'] ?? 0) + (s.kinds['VERDICT_KIND_WOULD_BE_OFF_CONTOUR'] ?? 0)
  );
}

/**
 * `sent N acked N learned N on-contour N off-contour N denied N errors N duplicates N`.
 * Off-contour counts both OFF_CONTOUR (sealed/enforce) and WOULD_BE_OFF_CONTOUR (audit): each is
 * an unknown point.
 */
export function formatExportSummary(s: ExportStats): string {
  const k = (kind: VerdictKind__Output): number => s.kinds[kind] ?? 0;
  return `sent ${s.sent} acked ${s.acked} learned ${k('VERDICT_KIND_LEARNED')} on-contour ${k('VERDICT_KIND_ON_CONTOUR')} off-contour ${offContourCount(s)} denied ${s.denied} errors ${s.errors} duplicates ${s.duplicates}`;
}
