/**
 * Subscriber filters: one small predicate per request field, ANDed across fields; entries within a
 * field are ORed; an unset field matches everything (as tetragon's filter registry does).
 */
import type { VerdictKind } from '../ns/namespace-model.js';
import { compileGlob } from './glob.js';
import { isAlert, type Notice } from './notice.js';

export interface FilterSpec {
  readonly namespaces?: readonly string[];
  readonly eventTypes?: readonly string[];
  readonly verdicts?: readonly VerdictKind[];
  readonly offContourOnly?: boolean;
  readonly processPatterns?: readonly string[];
  readonly taskIds?: readonly string[];
}

export type NoticeFilter = (n: Notice) => boolean;

const BUILDERS: ((s: FilterSpec) => NoticeFilter | undefined)[] = [
  (s) =>
    s.namespaces?.length
      ? (
          (set) => (n: Notice) =>
            set.has(n.namespace)
        )(new Set(s.namespaces))
      : undefined,
  (s) =>
    s.eventTypes?.length
      ? (
          (set) => (n: Notice) =>
            set.has(n.type)
        )(new Set(s.eventTypes))
      : undefined,
  (s) =>
    s.verdicts?.length
      ? (
          (set) => (n: Notice) =>
            n.verdict !== undefined && set.has(n.verdict.kind)
        )(new Set(s.verdicts))
      : undefined,
  // Off-contour events, denials, and lines a sealed namespace could not parse (alerts, no verdict).
  (s) =>
    s.offContourOnly
      ? (n: Notice) => isAlert(n.verdict) || (n.verdict === undefined && n.alert)
      : undefined,
  (s) => {
    if (!s.processPatterns?.length) return undefined;
    // Linear-time globs, never a regular expression built from a caller's input (glob.ts).
    const globs = s.processPatterns.map((p) => compileGlob(p));
    return (n: Notice) => globs.some((g) => g(n.process));
  },
  (s) => {
    if (!s.taskIds?.length) return undefined;
    const set = new Set(s.taskIds.map((t) => t.toLowerCase()));
    return (n: Notice) => n.verdict !== undefined && set.has(n.verdict.taskId.toString('hex'));
  },
];

export function buildFilter(spec: FilterSpec): NoticeFilter {
  const parts = BUILDERS.map((b) => b(spec)).filter((f): f is NoticeFilter => f !== undefined);
  return (n) => parts.every((f) => f(n));
}
