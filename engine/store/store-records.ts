/**
 * How a namespace lies in the store: its parts (one sublevel each under `ns:ID`), the records a
 * change set becomes, and the model restored from those records. Pure: level-store.ts does the I/O.
 */
import type { ChangeSet, EventEntry, NamespaceModel } from '../ns/namespace-model.js';
import {
  descriptionRecord,
  entryRecord,
  type EntryRecord,
  findingRecord,
  type FindingRecord,
  ledgerRecord,
  type LedgerRecord,
  metaRecord,
  type MetaRecord,
  pointRecord,
  type PointRecord,
  rejectedRecord,
  type RejectedRecord,
  restoreNamespace,
  taskRecord,
  type TaskRecord,
} from '../ns/namespace-snapshot.js';
import type { StoreOp } from '../ns/stage.js';

/**
 * A namespace's parts: points, trajectory, forensics, findings (audit), tasks, rejected lines,
 * descriptions of points and findings (`d`, from format 7), exporters' applied positions (`x`,
 * from format 8). A new part is added here: the MAC covers every part listed (store-mac.ts says
 * which are append-only).
 */
export const PARTS = ['p', 't', 'f', 'a', 'k', 'r', 'd', 'x'] as const;
export type Part = (typeof PARTS)[number];
/** What a model replace starts over (tasks keep their trust, rejected lines stay evidence). */
export const MODEL_PARTS = ['p', 't', 'f', 'a', 'd'] as const;

/**
 * What the write queue holds: records, and `clear` (a replaced model's part, deleted at the write,
 * where writes are serial, with each record's old value for the MAC of append-only parts).
 */
export type QueuedOp = StoreOp | { readonly type: 'clear'; readonly path: readonly string[] };
export type WriteOp = StoreOp & { readonly old?: unknown };

export const pad = (n: number) => n.toString().padStart(12, '0');
export const nsPath = (id: string, part: Part) => [`ns:${id}`, part];

/** The records of a namespace's changes since the last drain, with its meta and exporters. */
export function changeOps(ns: NamespaceModel, cs: ChangeSet): QueuedOp[] {
  const ops: QueuedOp[] = [{ type: 'put', path: ['meta'], key: ns.id, value: metaRecord(ns) }];
  // A replaced model: its old records go in the same batch as the new ones are written.
  if (cs.reset)
    for (const part of MODEL_PARTS) ops.push({ type: 'clear', path: nsPath(ns.id, part) });
  for (const pt of cs.points)
    ops.push({ type: 'put', path: nsPath(ns.id, 'p'), key: pt.hex, value: pointRecord(pt) });
  const entries = (part: 't' | 'f', list: readonly EventEntry[], start: number) =>
    list.forEach((e, i) =>
      ops.push({
        type: 'put',
        path: nsPath(ns.id, part),
        key: pad(start + i),
        value: entryRecord(e),
      })
    );
  entries('t', cs.trajectory, cs.trajectoryStart);
  entries('f', cs.forensics, cs.forensicsStart);
  for (const e of cs.audit)
    ops.push({
      type: 'put',
      path: nsPath(ns.id, 'a'),
      key: e.coefficient.toString('hex'),
      value: findingRecord(e),
    });
  for (const key of cs.removedFindings) ops.push({ type: 'del', path: nsPath(ns.id, 'a'), key });
  // Written once per coefficient (namespace-model.ts keeps it so): an append-only part.
  for (const [key, d] of cs.descriptions)
    ops.push({ type: 'put', path: nsPath(ns.id, 'd'), key, value: descriptionRecord(d) });
  for (const [key, t] of cs.tasks)
    ops.push(
      t
        ? { type: 'put', path: nsPath(ns.id, 'k'), key, value: taskRecord(t) }
        : { type: 'del', path: nsPath(ns.id, 'k'), key }
    );
  cs.rejected.forEach((e, i) =>
    ops.push({
      type: 'put',
      path: nsPath(ns.id, 'r'),
      key: pad(cs.rejectedStart + i),
      value: rejectedRecord(e),
    })
  );
  for (const [key, e] of cs.ingest)
    ops.push(
      e
        ? { type: 'put', path: nsPath(ns.id, 'x'), key, value: ledgerRecord(e) }
        : { type: 'del', path: nsPath(ns.id, 'x'), key }
    );
  return ops;
}

export function restoreParts(
  meta: MetaRecord,
  parts: ReadonlyMap<Part, [string, unknown][]>
): NamespaceModel {
  const list = <T>(part: Part) => (parts.get(part) ?? []) as [string, T][];
  return restoreNamespace(
    {
      meta,
      points: list<PointRecord>('p'),
      trajectory: list<EntryRecord>('t').map(([, r]) => r),
      forensics: list<EntryRecord>('f').map(([, r]) => r),
      findings: list<FindingRecord>('a').map(([, r]) => r),
      tasks: list<TaskRecord>('k'),
      rejected: list<RejectedRecord>('r').map(([, v]) => v),
      ingest: list<LedgerRecord>('x').map(([, r]) => r),
    },
    new Set(list<unknown>('d').map(([k]) => k))
  );
}
