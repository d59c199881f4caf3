/**
 * The one plain-JSON form of a namespace, record by record: the LevelDB store writes these records
 * as the namespace changes, and the modeling agent seals a whole namespace as one snapshot. Binary
 * values are lowercase hex. A snapshot restores to an equal namespace (measurement checked).
 */
import type { Point } from '../contour/contour-map.js';
import { EngineError } from '../../common/errors.js';
import type { ConvergenceSnapshot } from './convergence.js';
import {
  createNamespaceConfig,
  type EventEntry,
  type Finding,
  type HeldEntry,
  type NamespaceConfig,
  NamespaceModel,
  type RejectedEntry,
  type StoredDescription,
} from './namespace-model.js';
import type { Task, UntrustCause } from './task-table.js';
import type { LedgerEntry } from './ingest-ledger.js';

export interface ConfigRecord {
  id: string;
  digest: string;
  nsref: NamespaceConfig['nsref'];
  mode: NamespaceConfig['mode'];
  dialect: NamespaceConfig['dialect'];
  taskIdCoe: NamespaceConfig['taskIdCoe'];
  /** Absent in stores written before it existed (false). */
  requireSignedModels?: boolean;
  aggregate: string;
  base: string;
}

/** The namespace's header: configuration and the figures that are not sets of records. */
export interface MetaRecord {
  config: ConfigRecord;
  measurement: string;
  events: number;
  pseudonyms: string[];
  convergence: ConvergenceSnapshot;
  /** Lines rejected while sealed (kept or not); absent in stores written before it existed. */
  rejected?: number;
}

/**
 * A point, keyed by its coefficient's hex: first-seen position, valid flag, count, and the engine
 * times first and last seen (ms). Whether it is described is whether `d` holds its key.
 */
export interface PointRecord {
  o: number;
  v: boolean;
  n: number;
  first?: number;
  last?: number;
}

/** A line rejected while sealed: event number, escaped line, reason. */
export interface RejectedRecord {
  s: number;
  l: string;
  r: string;
}

/** A trajectory or forensics entry: coefficient and kernel line. */
export interface EntryRecord {
  c: string;
  l: string;
  /** Finding records up to format 6 carried a count here (and the line in `l`). */
  n?: number;
}

/** A finding, keyed by its coefficient's hex: count and engine times (from format 7). */
export interface FindingRecord {
  c: string;
  n: number;
  first?: number;
  last?: number;
  /** Records written up to format 6 hold the finding's kernel line here; restore ignores it (the
   * line lives in the finding's description from format 7, migrate-descriptions.ts). */
  l?: string;
}

/** A point's or finding's description, keyed by coefficient hex (engine/event/describe.ts). */
export type DescriptionRecord = StoredDescription;

export interface TaskRecord {
  t: string;
  p: string;
  s: Task['trust'];
  /** What made it untrusted (absent in records written before it was kept). */
  u?: UntrustCause;
  /** The process's start time (decimal), when its source reports one. */
  st?: string;
  /** Eviction order (store format 3; absent before, when key order was the restore order). */
  o?: number;
}

/** An exporter session's applied position (exactly-once ingest): exporter, session, sequence. */
export interface LedgerRecord {
  e: string;
  s: string;
  q: number;
  /** When it was last noted (LedgerEntry.noted). */
  n: number;
}

export interface NamespaceSnapshot {
  meta: MetaRecord;
  points: [string, PointRecord][];
  trajectory: EntryRecord[];
  forensics: EntryRecord[];
  findings: FindingRecord[];
  /** In the task table's eviction order. */
  tasks: [string, TaskRecord][];
  rejected?: RejectedRecord[];
  /** Absent in snapshots of earlier releases. */
  ingest?: LedgerRecord[];
}

const hex = (b: Buffer) => b.toString('hex');
const buf = (h: string) => Buffer.from(h, 'hex');

export function metaRecord(ns: NamespaceModel): MetaRecord {
  const c = ns.config;
  return {
    config: {
      id: c.id,
      digest: c.digest,
      nsref: c.nsref,
      mode: c.mode,
      dialect: c.dialect,
      taskIdCoe: c.taskIdCoe,
      ...(c.requireSignedModels ? { requireSignedModels: true } : {}),
      aggregate: hex(c.aggregate),
      base: hex(c.base),
    },
    measurement: hex(ns.measurement),
    events: ns.eventCount,
    pseudonyms: [...ns.pseudonymHexes()],
    convergence: ns.convergence.snapshot(),
    rejected: ns.rejectedCount,
  };
}

export const pointRecord = (p: Readonly<Point>): PointRecord => ({
  o: p.index,
  v: p.valid,
  n: p.count,
  ...(p.first !== undefined ? { first: p.first } : {}),
  ...(p.last !== undefined ? { last: p.last } : {}),
});
export const entryRecord = (e: EventEntry): EntryRecord => ({ c: hex(e.coefficient), l: e.line });
export const findingRecord = (f: Readonly<Finding>): FindingRecord => ({
  c: hex(f.coefficient),
  n: f.count,
  ...(f.first !== undefined ? { first: f.first } : {}),
  ...(f.last !== undefined ? { last: f.last } : {}),
});
export const rejectedRecord = (e: RejectedEntry): RejectedRecord => ({
  s: e.seq,
  l: e.line,
  r: e.reason,
});
export const descriptionRecord = (d: StoredDescription): DescriptionRecord => d;
export const taskRecord = (t: Readonly<Task>): TaskRecord => ({
  t: hex(t.taskId),
  p: hex(t.pTaskId),
  s: t.trust,
  ...(t.cause ? { u: t.cause } : {}),
  ...(t.start !== undefined ? { st: t.start.toString() } : {}),
  ...(t.order !== undefined ? { o: t.order } : {}),
});

export const ledgerRecord = (e: LedgerEntry): LedgerRecord => ({
  e: e.exporter,
  s: e.session,
  q: e.seq,
  n: e.noted,
});

/**
 * The namespace whole. A store-backed namespace keeps only its newest lines in memory: `lineOf`
 * gives the others (entry-lines.ts reads them from the store); one neither held nor given is an
 * error.
 */
export function snapshotNamespace(
  ns: NamespaceModel,
  lineOf?: (which: 'trajectory' | 'forensics', index: number) => string | undefined
): NamespaceSnapshot {
  const whole =
    (which: 'trajectory' | 'forensics') =>
    (e: HeldEntry, i: number): EntryRecord => {
      const line = e.line ?? lineOf?.(which, i);
      if (line === undefined)
        throw new EngineError(
          'TSEM_STORE',
          `namespace ${ns.id}: ${which} entry ${i}'s line is in the store only; read it from there`
        );
      return entryRecord({ coefficient: e.coefficient, line });
    };
  return {
    meta: metaRecord(ns),
    points: ns.points().map((p) => [p.hex, pointRecord(p)]),
    trajectory: ns.trajectory().map(whole('trajectory')),
    forensics: ns.forensics().map(whole('forensics')),
    findings: ns.findings().map(findingRecord),
    tasks: [...ns.taskEntries()].map(([k, t]) => [k, taskRecord(t)]),
    rejected: ns.rejected().map(rejectedRecord),
    ingest: ns.ingest.all().map(ledgerRecord),
  };
}

/**
 * Rebuilds the namespace; throws EngineError TSEM_STORE when the measurement does not match.
 * `described` holds the coefficients whose description the store keeps.
 */
export function restoreNamespace(
  s: NamespaceSnapshot,
  described: ReadonlySet<string> = new Set()
): NamespaceModel {
  const cfg = s.meta.config;
  const entry = (r: EntryRecord): EventEntry => ({ coefficient: buf(r.c), line: r.l });
  return NamespaceModel.restore({
    config: createNamespaceConfig({ ...cfg, aggregate: buf(cfg.aggregate), base: buf(cfg.base) }),
    points: [...s.points]
      .sort((x, y) => x[1].o - y[1].o)
      .map(([h, r]) => ({
        coefficient: buf(h),
        valid: r.v,
        count: r.n,
        first: r.first,
        last: r.last,
        described: described.has(h),
      })),
    trajectory: s.trajectory.map(entry),
    forensics: s.forensics.map(entry),
    audit: s.findings.map((r) => ({
      coefficient: buf(r.c),
      count: r.n ?? 1,
      first: r.first,
      last: r.last,
    })),
    tasks: s.tasks.map(([k, r]): [string, Task] => [
      k,
      {
        taskId: buf(r.t),
        pTaskId: buf(r.p),
        trust: r.s,
        ...(r.u ? { cause: r.u } : {}),
        ...(r.st !== undefined ? { start: BigInt(r.st) } : {}),
        ...(r.o !== undefined ? { order: r.o } : {}),
      },
    ]),
    pseudonyms: s.meta.pseudonyms,
    events: s.meta.events,
    measurement: buf(s.meta.measurement),
    convergence: s.meta.convergence,
    rejected: (s.rejected ?? []).map((r) => ({ seq: r.s, line: r.l, reason: r.r })),
    rejectedTotal: s.meta.rejected,
    ingest: (s.ingest ?? []).map((r): LedgerEntry => ({
      exporter: r.e,
      session: r.s,
      seq: r.q,
      noted: r.n,
    })),
  });
}
