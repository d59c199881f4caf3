/**
 * The one plain-JSON form of a namespace, record by record: the LevelDB store writes these records
 * as the namespace changes, and the modeling agent seals a whole namespace as one snapshot. Binary
 * values are lowercase hex. A snapshot restores to an equal namespace (measurement checked).
 */
import type { Point } from '../contour/contour-map.js';
import { type Convergence } from './convergence.js';
import {
  createNamespaceConfig,
  type EventEntry,
  type Finding,
  type NamespaceConfig,
  NamespaceModel,
  type RejectedEntry,
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
  convergence: ReturnType<Convergence['snapshot']>;
  /** Lines rejected while sealed (kept or not); absent in stores written before it existed. */
  rejected?: number;
}

/** A point, keyed by its coefficient's hex: first-seen position, valid flag, count. */
export interface PointRecord {
  o: number;
  v: boolean;
  n: number;
}

/** A line rejected while sealed: event number, escaped line, reason. */
export interface RejectedRecord {
  s: number;
  l: string;
  r: string;
}

/** A trajectory, forensics or finding entry: coefficient, kernel line, and a finding's count. */
export interface EntryRecord {
  c: string;
  l: string;
  n?: number;
}

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
  findings: EntryRecord[];
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
});
export const entryRecord = (e: EventEntry): EntryRecord => ({ c: hex(e.coefficient), l: e.line });
export const findingRecord = (f: Readonly<Finding>): EntryRecord => ({
  c: hex(f.coefficient),
  l: f.line,
  n: f.count,
});
export const rejectedRecord = (e: RejectedEntry): RejectedRecord => ({
  s: e.seq,
  l: e.line,
  r: e.reason,
});
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

export function snapshotNamespace(ns: NamespaceModel): NamespaceSnapshot {
  return {
    meta: metaRecord(ns),
    points: ns.points().map((p) => [p.hex, pointRecord(p)]),
    trajectory: ns.trajectory().map(entryRecord),
    forensics: ns.forensics().map(entryRecord),
    findings: ns.findings().map(findingRecord),
    tasks: [...ns.taskEntries()].map(([k, t]) => [k, taskRecord(t)]),
    rejected: ns.rejected().map(rejectedRecord),
    ingest: ns.ingest.all().map(ledgerRecord),
  };
}

/** Rebuilds the namespace; throws EngineError TSEM_STORE when the measurement does not match. */
export function restoreNamespace(s: NamespaceSnapshot): NamespaceModel {
  const cfg = s.meta.config;
  const entry = (r: EntryRecord): EventEntry => ({ coefficient: buf(r.c), line: r.l });
  return NamespaceModel.restore({
    config: createNamespaceConfig({ ...cfg, aggregate: buf(cfg.aggregate), base: buf(cfg.base) }),
    points: [...s.points]
      .sort((x, y) => x[1].o - y[1].o)
      .map(([h, r]) => ({ coefficient: buf(h), valid: r.v, count: r.n })),
    trajectory: s.trajectory.map(entry),
    forensics: s.forensics.map(entry),
    audit: s.findings.map((r) => ({ ...entry(r), count: r.n ?? 1 })),
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
