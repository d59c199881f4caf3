/**
 * Two change sets of one namespace, drained one after the other, as one: what the store writes
 * for a run whose changes were drained in parts (a namespace decided in a worker, engine/shard,
 * drains its mirror at each control action to send that action's changes to the worker). Pure.
 */
import { EngineError } from '../../common/errors.js';
import type { Point } from '../contour/contour-map.js';
import type { ChangeSet } from './namespace-types.js';

function follow<T>(what: string, a: readonly T[], aStart: number, b: readonly T[], bStart: number) {
  if (bStart !== aStart + a.length)
    throw new EngineError(
      'TSEM_NAMESPACE',
      `${what} ${bStart} does not follow ${aStart + a.length}`
    );
  return [...a, ...b];
}

/** `b` drained after `a`: later values win, as they would in one drain. */
export function mergeChanges(a: ChangeSet | undefined, b: ChangeSet): ChangeSet {
  if (!a) return b;
  // Tasks, rejected lines and the exporters' ledger outlive a model replace (clearModel keeps them).
  const kept = {
    tasks: [...a.tasks, ...b.tasks],
    rejected: follow('rejected line', a.rejected, a.rejectedStart, b.rejected, b.rejectedStart),
    rejectedStart: a.rejectedStart,
    ingest: [...a.ingest, ...b.ingest],
  };
  // A replace in `b` clears what `a` wrote of the model first.
  if (b.reset) return Object.assign({}, b, kept);
  const points = new Set<Point>(a.points);
  for (const p of b.points) points.add(p);
  const removedNow = new Set(b.removedFindings);
  const changedNow = new Set(b.audit.map((f) => f.coefficient.toString('hex')));
  return Object.assign({}, kept, {
    points: [...points],
    trajectory: follow(
      'trajectory entry',
      a.trajectory,
      a.trajectoryStart,
      b.trajectory,
      b.trajectoryStart
    ),
    trajectoryStart: a.trajectoryStart,
    forensics: follow(
      'forensics entry',
      a.forensics,
      a.forensicsStart,
      b.forensics,
      b.forensicsStart
    ),
    forensicsStart: a.forensicsStart,
    // The store writes findings before it deletes removed ones: a finding keeps its last fate.
    audit: [...a.audit.filter((f) => !removedNow.has(f.coefficient.toString('hex'))), ...b.audit],
    removedFindings: [...a.removedFindings.filter((h) => !changedNow.has(h)), ...b.removedFindings],
    descriptions: [...a.descriptions, ...b.descriptions],
    reset: a.reset,
  });
}
