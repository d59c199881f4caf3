/** Drives a namespace over TSEM JSON lines (trajectory or export stream) in file order. */
import type { TsemEvent } from '../event/event.js';
import { ParseError } from '../../common/errors.js';
import { escapeBytes } from '../../common/escape.js';
import { parseRecordLine } from '../event/parse-json.js';
import { applyRecord } from './apply-record.js';
import type { NamespaceModel, Verdict } from './namespace-model.js';

export interface ReplayCounts {
  events: number;
  aggregates: number;
  logs: number;
  byKind: Record<string, number>;
  denied: number;
  /** Lines that could not be parsed (reported through onReject, then skipped). */
  rejected: number;
}

/** Splits a file's bytes into lines (raw bytes kept: pathnames hash as raw bytes, §1.5). */
export function splitLines(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = data.indexOf(0x0a, start);
    const end = nl < 0 ? data.length : nl;
    out.push(data.subarray(start, end));
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

export interface ReplayOptions {
  readonly source?: string;
  /** Take `aggregate` export records as the namespace aggregate (model build does; replay against a loaded model does not). */
  readonly acceptAggregate?: boolean;
  readonly onVerdict?: (v: Verdict, e: TsemEvent, lineNumber: number) => void;
  /** Stop at the first line that cannot be parsed (throw its ParseError) instead of going on. */
  readonly strict?: boolean;
  /** A line that could not be parsed; the error names the source and line number. */
  readonly onReject?: (err: ParseError, lineNumber: number) => void;
}

/**
 * Parses and processes every non-empty line. A malformed line is reported with its line number and
 * the rest is processed (the namespace treats it as it treats such a line from a live source:
 * evidence when sealed, denied when enforcing); with `strict` it throws its ParseError instead.
 */
export function replayLines(
  ns: NamespaceModel,
  lines: readonly Buffer[],
  opts: ReplayOptions = {}
): ReplayCounts {
  const counts: ReplayCounts = {
    events: 0,
    aggregates: 0,
    logs: 0,
    byKind: {},
    denied: 0,
    rejected: 0,
  };
  lines.forEach((line, i) => {
    if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) return;
    let rec;
    try {
      rec = parseRecordLine(line, {
        digestSize: ns.alg.size,
        lineNumber: i + 1,
        source: opts.source,
      });
    } catch (err) {
      if (opts.strict || !(err instanceof ParseError)) throw err;
      counts.rejected++;
      if (ns.reject(escapeBytes(line), err.message).deny) counts.denied++;
      opts.onReject?.(err, i + 1);
      return;
    }
    const applied = applyRecord(ns, rec, { acceptAggregate: opts.acceptAggregate ?? false });
    if (applied.kind !== 'event') {
      counts[applied.kind === 'aggregate' ? 'aggregates' : 'logs']++;
      return;
    }
    const v = applied.verdict;
    counts.events++;
    counts.byKind[v.kind] = (counts.byKind[v.kind] ?? 0) + 1;
    if (v.action === 'deny') counts.denied++;
    opts.onVerdict?.(v, applied.event, i + 1);
  });
  return counts;
}
