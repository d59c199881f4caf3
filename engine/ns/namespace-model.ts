/**
 * One modeling namespace: its measurement, contour map, trajectory, forensics and task table
 * (tsem-model.md §2.6, §3.2, §3.5). Pure: no I/O, no clock; the pipeline and store drive it.
 */
import { EngineError } from '../../common/errors.js';
import type { TsemEvent } from '../event/event.js';
import { compareToContour } from '../contour/compare.js';
import { ContourMap, type Point } from '../contour/contour-map.js';
import { isSealedMode, type Mode } from '../contour/mode.js';
import type { ModelFile } from '../contour/model-file.js';
import { createDigest, type DigestAlgorithm } from '../measure/digest.js';
import { extend, seedMeasurement, stateOf } from '../measure/extend.js';
import { type Dialect, Mapper } from '../measure/mapper.js';
import { Convergence } from './convergence.js';
import { IngestLedger, type LedgerEntry } from './ingest-ledger.js';
import { type Task, TaskTable, type Trust } from './task-table.js';

export { isMode, MODES, type Mode, parseMode } from '../contour/mode.js';

export interface NamespaceConfig {
  readonly id: string;
  readonly digest: string;
  /** §1.3: ids from the initial user namespace or the caller's. Recorded; sources apply it. */
  readonly nsref: 'initial' | 'current';
  readonly mode: Mode;
  readonly dialect: Dialect;
  readonly taskIdCoe: 'zero' | 'actual';
  /** Load only models whose signature verifies against the server's model keys (model lock). */
  readonly requireSignedModels: boolean;
  /** Hardware aggregate (§2.7), the first extension; zero when no TPM. */
  readonly aggregate: Buffer;
  readonly base: Buffer;
}

export type VerdictKind =
  | 'learned'
  | 'on-contour'
  | 'would-be-off-contour'
  | 'off-contour'
  | 'untrusted-task'
  | 'lifecycle';

export interface Verdict {
  readonly kind: VerdictKind;
  readonly action: 'allow' | 'deny';
  /** Absent for lifecycle events and for events of untrusted tasks (not modeled, §3.5). */
  readonly coefficient?: Buffer;
  readonly taskId: Buffer;
  readonly pTaskId: Buffer;
  readonly trust: Trust;
  /** Per-namespace event sequence number (1-based). */
  readonly seq: number;
  /** The coefficient joined the map with this event (learned or forensic): it extended the
   * measurement (and, for the root namespace, the TPM PCR). */
  readonly newPoint: boolean;
}

export interface EventEntry {
  readonly coefficient: Buffer;
  readonly line: string;
}

/** A line that could not be parsed, kept as evidence in a sealed namespace: its event number, the
 * line (escaped, possibly cut) and why it was rejected. */
export interface RejectedEntry {
  readonly seq: number;
  readonly line: string;
  readonly reason: string;
}

/** Rejected lines kept per namespace; beyond this they are counted (and alerted) but not kept. */
export const MAX_REJECTED_KEPT = 10_000;

/** What the namespace did with a line it could not parse. */
export interface Rejection {
  /** The event number it was given, when it was kept as evidence. */
  readonly seq?: number;
  /** Sealed and enforce: an alert; audit: a would-be alert. */
  readonly alert: boolean;
  /** Enforce: fail closed. */
  readonly deny: boolean;
}

/** An audit-mode finding: an unknown point that would be off-contour, once, with its count. */
export type Finding = EventEntry & { count: number };

/** A point as readers see it: the map's own record, not to be changed from outside. */
export type PointView = Readonly<Point>;

/** The convergence figures readers may see (recording stays with the namespace). */
export type ConvergenceView = Pick<
  Convergence,
  'figures' | 'settled' | 'snapshot' | 'windowEvents'
>;

/** What a failed write must not take back: forensics and untrusted tasks (keepTransitions()). */
export interface SecurityTransitions {
  readonly forensics: readonly EventEntry[];
  readonly untrusted: readonly [string, Task][];
}

/** The security transitions of a change set. */
export function securityTransitions(cs: ChangeSet): SecurityTransitions {
  return {
    forensics: cs.forensics,
    untrusted: cs.tasks.filter((e): e is [string, Task] => e[1]?.trust === 'untrusted'),
  };
}

/** What changed since the last drain: the store writes it as one atomic batch. */
export interface ChangeSet {
  readonly points: readonly Point[];
  readonly trajectory: readonly EventEntry[];
  /** Index of trajectory[0] in the namespace's whole trajectory. */
  readonly trajectoryStart: number;
  readonly forensics: readonly EventEntry[];
  readonly forensicsStart: number;
  readonly audit: readonly Finding[];
  readonly tasks: readonly [string, Task | undefined][];
  readonly rejected: readonly RejectedEntry[];
  readonly rejectedStart: number;
  /** Exporters' applied sequence numbers (exactly-once ingest), written with the events;
   * undefined: forgotten (deleted). */
  readonly ingest: readonly [string, LedgerEntry | undefined][];
}

function verdict(
  kind: VerdictKind,
  action: 'allow' | 'deny',
  coefficient: Buffer | undefined,
  task: Task,
  seq: number,
  newPoint = false
): Verdict {
  return {
    kind,
    action,
    coefficient,
    taskId: task.taskId,
    pTaskId: task.pTaskId,
    trust: task.trust,
    seq,
    newPoint,
  };
}

/**
 * The task table key of an event's task (or, given the ppid as pid, of its parent): its origin
 * (exporter identity and host, so pids of different hosts are different tasks) and pid, or its
 * TASK_ID for kernel sources without pids. Without an origin (files, replays): bare `pid:N`.
 */
export function taskKeyOf(
  h: { readonly pid?: number; readonly taskId?: Buffer },
  origin: string
): string {
  const at = origin === '' ? '' : `${origin}|`;
  if (h.pid !== undefined) return `${at}pid:${h.pid}`;
  return `${at}tid:${h.taskId?.toString('hex') ?? 'unknown'}`;
}

/** The pid of a task key, when it names one. */
export function pidOfTaskKey(key: string): number | undefined {
  const m = /(?:^|\|)pid:(\d+)$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

export function createNamespaceConfig(
  p: Partial<NamespaceConfig> & { id: string }
): NamespaceConfig {
  const alg = createDigest(p.digest ?? 'sha256');
  const cfg: NamespaceConfig = {
    id: p.id,
    digest: alg.name,
    nsref: p.nsref ?? 'initial',
    mode: p.mode ?? 'learn',
    dialect: p.dialect ?? 'tsem-6.12',
    taskIdCoe: p.taskIdCoe ?? 'zero',
    requireSignedModels: p.requireSignedModels ?? false,
    aggregate: p.aggregate ?? alg.nullDigest,
    base: p.base ?? alg.nullDigest,
  };
  for (const [what, v] of [
    ['aggregate', cfg.aggregate],
    ['base', cfg.base],
  ] as const) {
    if (v.length !== alg.size) {
      throw new EngineError(
        'TSEM_DIGEST',
        `namespace ${p.id}: ${what} must be ${alg.size} bytes for ${alg.name}, got ${v.length}`
      );
    }
  }
  return cfg;
}

export class NamespaceModel {
  readonly alg: DigestAlgorithm;
  /** Which exporters' events were applied (exactly-once ingest); changes land in drainChanges(). */
  readonly ingest = new IngestLedger();
  // The model's state: changed only by process(), loadModel(), setMode() and setAggregate(), so
  // that every change lands in drainChanges() and the store never misses one.
  private readonly map = new ContourMap();
  private readonly trajectoryEntries: EventEntry[] = [];
  private readonly forensicEntries: EventEntry[] = [];
  private readonly rejectedEntries: RejectedEntry[] = [];
  private rejectedTotal = 0;
  private newRejected: RejectedEntry[] = [];
  /** Audit mode findings: unknown points that would be off-contour, once each with a count. */
  private readonly auditFindings = new Map<string, Finding>();
  private readonly tasks: TaskTable;
  private readonly pseudonyms = new Set<string>();
  private conv = new Convergence();
  private mapper: Mapper;
  private cfg: NamespaceConfig;
  private m: Buffer;
  private events = 0;
  private dirtyPoints = new Set<Point>();
  private newTrajectory: EventEntry[] = [];
  private newForensics: EventEntry[] = [];
  private dirtyAudit = new Set<string>();

  constructor(config: NamespaceConfig) {
    this.cfg = config;
    this.alg = createDigest(config.digest);
    this.mapper = this.createMapper();
    this.tasks = new TaskTable(this.alg.nullDigest);
    this.m = seedMeasurement(this.alg, config.base, config.aggregate);
  }

  private createMapper(): Mapper {
    return new Mapper(this.alg, {
      dialect: this.cfg.dialect,
      taskIdCoe: this.cfg.taskIdCoe,
      pseudonyms: this.pseudonyms,
    });
  }

  get config(): NamespaceConfig {
    return this.cfg;
  }
  get id(): string {
    return this.cfg.id;
  }
  get mode(): Mode {
    return this.cfg.mode;
  }
  get measurement(): Buffer {
    return this.m;
  }
  get eventCount(): number {
    return this.events;
  }
  get sealed(): boolean {
    return isSealedMode(this.cfg.mode);
  }

  /** Points in first-seen order (the measurement's extension order). */
  points(): readonly PointView[] {
    return this.map.points();
  }
  point(hex: string): PointView | undefined {
    return this.map.get(hex);
  }
  get pointCount(): number {
    return this.map.size;
  }
  validPointCount(): number {
    return this.map.validPoints().length;
  }
  forensicPointCount(): number {
    return this.map.forensicPoints().length;
  }
  /** Events that added a valid point, in order (the trajectory, §3.1). */
  trajectory(): readonly EventEntry[] {
    return this.trajectoryEntries;
  }
  /** Events that added a forensic point, in order. */
  forensics(): readonly EventEntry[] {
    return this.forensicEntries;
  }
  /** Lines rejected while sealed, kept as evidence (the first MAX_REJECTED_KEPT). */
  rejected(): readonly RejectedEntry[] {
    return this.rejectedEntries;
  }
  /** Every line rejected while sealed, kept or not. */
  get rejectedCount(): number {
    return this.rejectedTotal;
  }
  findings(): readonly Readonly<Finding>[] {
    return [...this.auditFindings.values()];
  }
  get findingCount(): number {
    return this.auditFindings.size;
  }
  untrustedTaskCount(): number {
    return this.tasks.untrustedCount();
  }
  /** A task by its key (`[ORIGIN|]pid:N`, or `[ORIGIN|]tid:HEX` for kernel sources without pids). */
  task(key: string): Readonly<Task> | undefined {
    return this.tasks.get(key);
  }
  /**
   * Makes an untrusted task trusted again, with the tasks that inherited its untrust (an admin's
   * decision, `tsem ns release`); returns the keys released. The change persists with the next batch.
   */
  releaseTask(key: string): string[] {
    return this.tasks.release(key);
  }

  /** The task table in its eviction order: key and task. */
  taskEntries(): IterableIterator<[string, Readonly<Task>]> {
    return this.tasks.entries();
  }
  get pseudonymCount(): number {
    return this.pseudonyms.size;
  }
  pseudonymHexes(): readonly string[] {
    return [...this.pseudonyms];
  }
  get convergence(): ConvergenceView {
    return this.conv;
  }

  /** §2.6: state over every point (valid and forensic) in bytewise order. */
  state(): Buffer {
    return stateOf(
      this.alg,
      this.cfg.base,
      this.cfg.aggregate,
      this.map.points().map((p) => p.coefficient)
    );
  }

  setMode(mode: Mode): void {
    this.cfg = { ...this.cfg, mode };
  }

  /** A live aggregate re-seeds the measurement, but only before the first point (§4.2). */
  setAggregate(aggregate: Buffer): void {
    if (aggregate.equals(this.cfg.aggregate)) return;
    if (aggregate.length !== this.alg.size)
      throw new EngineError('TSEM_DIGEST', `aggregate must be ${this.alg.size} bytes`);
    if (this.map.size > 0) {
      throw new EngineError(
        'TSEM_NAMESPACE',
        `namespace ${this.id}: aggregate changed after points were recorded`
      );
    }
    this.cfg = { ...this.cfg, aggregate };
    this.m = seedMeasurement(this.alg, this.cfg.base, aggregate);
  }

  /**
   * The task table key: the event's origin (the exporter identity and host it came from, so pids
   * of different hosts are different tasks) and its pid, or its TASK_ID for kernel sources
   * without pids. Events without an origin (files, replays) keep the bare `pid:N`.
   */
  private taskKey(e: TsemEvent, origin: string): string {
    return taskKeyOf(e.header, origin);
  }

  /** Resolves the acting task: kernel ids from the header, else the task table's (§1.6). */
  private resolveTask(e: TsemEvent, key: string, origin: string): Task {
    const h = e.header;
    const known = this.tasks.get(key);
    // A reused pid (another start time) is another process: its predecessor's trust is not its.
    const reused = h.start !== undefined && known?.start !== undefined && known.start !== h.start;
    if (h.taskId) {
      const t = reused ? undefined : known;
      const pTaskId = h.pTaskId ?? this.alg.nullDigest;
      if (t && t.taskId.equals(h.taskId) && t.pTaskId.equals(pTaskId)) return t;
      return this.tasks.set(key, {
        taskId: h.taskId,
        pTaskId,
        trust: t?.trust ?? 'trusted',
        ...(t?.cause ? { cause: t.cause } : {}),
        start: h.start,
      });
    }
    if (h.ppid !== undefined && (h.type === 'task_alloc' || !known || reused)) {
      return this.tasks.fork(taskKeyOf({ pid: h.ppid }, origin), key, h.start);
    }
    if (reused) return this.withStart(this.tasks.renew(key), key, h.start);
    return this.withStart(this.tasks.getOrCreate(key), key, h.start);
  }

  /** Records a start time the task did not have yet (the first event that reports it). */
  private withStart(t: Task, key: string, start: bigint | undefined): Task {
    if (start === undefined || t.start === start) return t;
    return this.tasks.set(key, { ...t, start });
  }

  /**
   * Maps one event and compares it with the contour map (§2.6, §3.5). `origin` names where it came
   * from (exporter identity and host): tasks are per origin.
   */
  process(e: TsemEvent, origin = ''): Verdict {
    const seq = ++this.events;
    const key = this.taskKey(e, origin);
    let task = this.resolveTask(e, key, origin);

    if (e.cell.hook === 'bprm_committed_creds' && !e.header.taskId) {
      // §2.5: exec derives the new TASK_ID; TSEM-6.12 does not model it as an event.
      task = this.tasks.exec(key, this.mapper.taskId(task.pTaskId, e.coe, e.cell.value.file));
      this.conv.record(false);
      return verdict('lifecycle', 'allow', undefined, task, seq);
    }
    if (task.trust === 'untrusted' && this.sealed) {
      // §3.5: an untrusted task skips modeling; EPERM iff enforcing.
      this.conv.record(false);
      return verdict(
        'untrusted-task',
        this.cfg.mode === 'enforce' ? 'deny' : 'allow',
        undefined,
        task,
        seq
      );
    }

    const hex = this.mapper.coefficientHex(e.header.type, task.pTaskId, task.taskId, e.coe, e.cell);
    const known = this.map.get(hex);
    const d = compareToContour(known, this.cfg.mode);
    const action = d.deny ? 'deny' : 'allow';
    const c = known?.coefficient ?? Buffer.from(hex, 'hex');
    if (known) {
      known.count++;
      this.dirtyPoints.add(known);
    } else if (d.finding) {
      const f = this.auditFindings.get(hex);
      if (f) f.count++;
      else this.auditFindings.set(hex, { coefficient: c, line: e.line, count: 1 });
      this.dirtyAudit.add(hex);
    } else if (d.add) {
      // §2.6: a new point extends the measurement whether it is valid or forensic.
      this.m = extend(this.alg, this.cfg.base, this.m, c);
      this.dirtyPoints.add(this.map.add(c, d.add === 'valid'));
      const entry = { coefficient: c, line: e.line };
      (d.add === 'valid' ? this.trajectoryEntries : this.forensicEntries).push(entry);
      (d.add === 'valid' ? this.newTrajectory : this.newForensics).push(entry);
    }
    this.conv.record(d.add !== undefined);
    if (d.untrust)
      this.tasks.markUntrusted(key, task, { seq, type: e.header.type, coefficient: hex });
    return verdict(d.kind, action, c, task, seq, d.add !== undefined);
  }

  /**
   * A line that could not be parsed never passes silently: in a sealed namespace it becomes
   * evidence (kept, counted, alerted) and in enforce it is also denied (fail closed); in audit it
   * is a would-be alert; in learn it is only an error.
   */
  reject(line: string, reason: string): Rejection {
    if (!this.sealed) return { alert: this.cfg.mode === 'audit', deny: false };
    const seq = ++this.events;
    this.rejectedTotal++;
    if (this.rejectedEntries.length < MAX_REJECTED_KEPT) {
      const entry = { seq, line, reason };
      this.rejectedEntries.push(entry);
      this.newRejected.push(entry);
    }
    return { seq, alert: true, deny: this.cfg.mode === 'enforce' };
  }

  /**
   * Loads a model (§2.6, §3.2): base, then each new state as a valid point extended in file order,
   * pseudonyms, and `seal` (which keeps enforce if enforce was set first, as Quixote does).
   */
  loadModel(model: ModelFile): void {
    if (model.digest !== this.alg.name) {
      throw new EngineError(
        'TSEM_MODEL_FILE',
        `model is ${model.digest} but namespace ${this.id} uses ${this.alg.name}`
      );
    }
    if (model.base && !model.base.equals(this.cfg.base)) {
      if (this.map.size > 0)
        throw new EngineError(
          'TSEM_MODEL_FILE',
          `namespace ${this.id}: base must be set before any point`
        );
      this.cfg = { ...this.cfg, base: model.base };
      this.m = seedMeasurement(this.alg, model.base, this.cfg.aggregate);
    }
    for (const p of model.pseudonyms) this.pseudonyms.add(p.toString('hex'));
    for (const s of model.states) {
      const hex = s.toString('hex');
      if (this.map.get(hex)) continue;
      this.m = extend(this.alg, this.cfg.base, this.m, s);
      this.dirtyPoints.add(this.map.add(s, true, 0));
    }
    if (model.pseudonyms.length > 0) this.mapper = this.createMapper();
    if (model.sealed && !this.sealed) this.setMode('sealed');
  }

  /** The namespace as a Quixote model: points in first-seen order (§4.2). */
  exportModel(includeForensics = false): Omit<ModelFile, 'comments'> {
    const pts = includeForensics ? this.map.points() : this.map.validPoints();
    const base = this.cfg.base.equals(this.alg.nullDigest) ? undefined : this.cfg.base;
    return {
      digest: this.alg.name,
      base,
      aggregate: this.cfg.aggregate,
      states: pts.map((p) => p.coefficient),
      pseudonyms: [...this.pseudonyms].map((h) => Buffer.from(h, 'hex')),
      sealed: this.sealed,
    };
  }

  /**
   * After a reload from the store (a failed write): the failed batch's security transitions come
   * back, since they are never rolled back: its forensic points (extending the measurement, in
   * their order) and untrusted tasks. They are changes, so the next drainChanges() writes them.
   */
  keepTransitions(t: SecurityTransitions): void {
    for (const e of t.forensics) {
      const hex = e.coefficient.toString('hex');
      if (this.map.get(hex)) continue;
      this.m = extend(this.alg, this.cfg.base, this.m, e.coefficient);
      this.dirtyPoints.add(this.map.add(e.coefficient, false));
      this.forensicEntries.push(e);
      this.newForensics.push(e);
      this.events++;
    }
    for (const [key, task] of t.untrusted) {
      const known = this.tasks.get(key);
      if (known) this.tasks.markUntrusted(key, known);
      else this.tasks.set(key, { ...task, trust: 'untrusted' });
    }
  }

  drainChanges(): ChangeSet {
    const cs: ChangeSet = {
      points: [...this.dirtyPoints],
      trajectory: this.newTrajectory,
      trajectoryStart: this.trajectoryEntries.length - this.newTrajectory.length,
      forensics: this.newForensics,
      forensicsStart: this.forensicEntries.length - this.newForensics.length,
      audit: [...this.dirtyAudit].map((h) => this.auditFindings.get(h)!).filter(Boolean),
      tasks: this.tasks.drainDirty(),
      rejected: this.newRejected,
      rejectedStart: this.rejectedEntries.length - this.newRejected.length,
      ingest: this.ingest.drain(),
    };
    this.newRejected = [];
    this.dirtyPoints = new Set();
    this.newTrajectory = [];
    this.newForensics = [];
    this.dirtyAudit = new Set();
    return cs;
  }

  /** Rebuilds a namespace from persisted parts; the measurement is recomputed and checked. */
  static restore(parts: {
    config: NamespaceConfig;
    points: readonly { coefficient: Buffer; valid: boolean; count: number }[];
    trajectory: readonly EventEntry[];
    forensics: readonly EventEntry[];
    audit: readonly Finding[];
    tasks: readonly [string, Task][];
    pseudonyms: readonly string[];
    events: number;
    measurement: Buffer;
    convergence?: ReturnType<Convergence['snapshot']>;
    rejected?: readonly RejectedEntry[];
    rejectedTotal?: number;
    ingest?: readonly LedgerEntry[];
  }): NamespaceModel {
    const ns = new NamespaceModel(parts.config);
    for (const p of parts.pseudonyms) ns.pseudonyms.add(p);
    ns.mapper = ns.createMapper();
    for (const p of parts.points) {
      ns.map.add(p.coefficient, p.valid, p.count);
      ns.m = extend(ns.alg, ns.cfg.base, ns.m, p.coefficient);
    }
    if (!ns.m.equals(parts.measurement)) {
      throw new EngineError(
        'TSEM_STORE',
        `namespace ${ns.id}: stored measurement does not match its points (store corrupted?)`
      );
    }
    ns.trajectoryEntries.push(...parts.trajectory);
    ns.forensicEntries.push(...parts.forensics);
    ns.rejectedEntries.push(...(parts.rejected ?? []));
    ns.rejectedTotal = Math.max(parts.rejectedTotal ?? 0, ns.rejectedEntries.length);
    for (const a of parts.audit) ns.auditFindings.set(a.coefficient.toString('hex'), { ...a });
    // Tasks without an order (snapshots of earlier releases) keep the order they come in.
    ns.tasks.load(parts.tasks.map(([k, t], i) => [k, { ...t, order: t.order ?? i + 1 }]));
    ns.events = parts.events;
    if (parts.convergence) ns.conv = Convergence.restore(parts.convergence);
    ns.ingest.load(parts.ingest ?? []);
    return ns;
  }
}
