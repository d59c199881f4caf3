/**
 * One modeling namespace: its measurement, contour map, trajectory, forensics, findings and task
 * table (tsem-model.md §2.6, §3.2, §3.5), and the author's changes to it (model loads, accepted
 * findings and forensics). Pure: no I/O, no clock (times are passed in); the pipeline and store
 * drive it. One class on purpose: every change to the model's state goes through it, so that
 * drainChanges() never misses one and the store's atomic batch holds them all.
 */
import { EngineError } from '../../common/errors.js';
import { describeEvent } from '../event/describe.js';
import type { TsemEvent } from '../event/event.js';
import { compareToContour } from '../contour/compare.js';
import { coefficientKey, ContourMap, type Point } from '../contour/contour-map.js';
import { isSealedMode, type Mode } from '../contour/mode.js';
import type { ModelFile } from '../contour/model-file.js';
import { createDigest, type DigestAlgorithm } from '../measure/digest.js';
import { extend, seedMeasurement, stateOf } from '../measure/extend.js';
import { Mapper } from '../measure/mapper.js';
import { Convergence, type ConvergenceSettings, type ConvergenceSnapshot } from './convergence.js';
import { type Finding, FindingTable } from './finding-table.js';
import type {
  AcceptOutcome,
  AcceptTarget,
  ChangeSet,
  ConvergenceView,
  EventEntry,
  HeldEntry,
  LoadOutcome,
  ModelDelta,
  NamespaceConfig,
  PointStatus,
  PointView,
  Rejection,
  RejectedEntry,
  SecurityTransitions,
  StoredDescription,
  Verdict,
  VerdictKind,
} from './namespace-types.js';
import { MAX_REJECTED_KEPT } from './namespace-types.js';
import { HeldList } from './held-list.js';
import { IngestLedger, type LedgerEntry, ledgerKey } from './ingest-ledger.js';
import { MAX_TASKS, type Task, TaskTable } from './task-table.js';

export type { Finding } from './finding-table.js';
export * from './namespace-types.js';

export { isMode, MODES, type Mode, parseMode } from '../contour/mode.js';

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

const sameBytes = (a: Buffer, b: Buffer) => a === b || a.equals(b);

export class NamespaceModel {
  readonly alg: DigestAlgorithm;
  /** Which exporters' events were applied (exactly-once ingest); changes land in drainChanges(). */
  readonly ingest = new IngestLedger();
  // The model's state: changed only by process(), loadModel(), setMode() and setAggregate(), so
  // that every change lands in drainChanges() and the store never misses one.
  private map = new ContourMap();
  private trajectoryEntries = new HeldList();
  private forensicEntries = new HeldList();
  private readonly rejectedEntries: RejectedEntry[] = [];
  private rejectedTotal = 0;
  private newRejected: RejectedEntry[] = [];
  /** Audit mode findings: unknown points that would be off-contour, once each with a count. */
  private readonly auditFindings = new FindingTable();
  private readonly tasks: TaskTable;
  private readonly pseudonyms = new Set<string>();
  /** Descriptions not yet drained to the store (offline users never drain: all stay here). */
  private pendingDescriptions = new Map<string, StoredDescription>();
  private reset = false;
  /** Changes made without events (model loads, accepts) and model replaces, for mirrors. */
  private edits = 0;
  private resets = 0;
  private conv = new Convergence();
  private mapper: Mapper;
  private cfg: NamespaceConfig;
  private m: Buffer;
  private events = 0;
  private dirtyPoints = new Set<Point>();
  private newTrajectory: EventEntry[] = [];
  private newForensics: EventEntry[] = [];
  /** Task keys by origin and pid (bounded as the task table is). */
  private readonly keyCache = new Map<string, Map<number, string>>();
  /** Mode changes and model loads (see decisionEpoch). */
  private decisionChanges = 0;

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
  /** Counts the changes made without an event (loads, accepts): a mirror re-sends on a change. */
  get editCount(): number {
    return this.edits;
  }
  /** Counts model replaces: what a mirror that cannot drop points must give up on. */
  get resetCount(): number {
    return this.resets;
  }
  get sealed(): boolean {
    return isSealedMode(this.cfg.mode);
  }
  /**
   * Changes whenever an allow given before may not be given again for the same event: the mode,
   * the model (loads and replaces), a task's identity or trust (exec, untrusted, released,
   * forgotten). Verdict caches outside the model are emptied when it moves; adding points only
   * turns denials into allows, so learning and accepting leave it.
   */
  get decisionEpoch(): number {
    return this.decisionChanges + this.tasks.identityChanges;
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
  /** Events that added a valid point, in order (the trajectory, §3.1); older lines may be in the
   * store only (entry-lines.ts reads them). */
  trajectory(): HeldList {
    return this.trajectoryEntries;
  }
  /** Events that added a forensic point, in order (lines as for the trajectory). */
  forensics(): HeldList {
    return this.forensicEntries;
  }

  /**
   * Bounded in-memory tails: drops the lines of trajectory and forensics entries below the given
   * counts (the entries the store has persisted), except the newest `keep` of each list. The
   * coefficients stay; the store holds every line. Called only where a store holds them.
   */
  releaseLines(persistedTrajectory: number, persistedForensics: number, keep: number): void {
    this.trajectoryEntries.release(
      Math.min(persistedTrajectory, this.trajectoryEntries.length - keep)
    );
    this.forensicEntries.release(Math.min(persistedForensics, this.forensicEntries.length - keep));
  }

  /** Whether some entry's line lives only in the store. */
  get linesReleased(): boolean {
    return this.trajectoryEntries.released > 0 || this.forensicEntries.released > 0;
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
  finding(hex: string): Readonly<Finding> | undefined {
    return this.auditFindings.get(hex);
  }
  get findingCount(): number {
    return this.auditFindings.size;
  }
  /** A point's or finding's status, or undefined when the namespace has never seen it. */
  statusOf(hex: string): PointStatus | undefined {
    const p = this.map.get(hex);
    if (p) return p.valid ? 'valid' : 'forensic';
    return this.auditFindings.get(hex) ? 'finding' : undefined;
  }
  /**
   * A description not yet drained to the store. Offline users (replay, model build) never drain,
   * so every description stays here; the engine reads the rest from its store.
   */
  pendingDescription(hex: string): StoredDescription | undefined {
    return this.pendingDescriptions.get(hex);
  }
  pendingDescriptionEntries(): IterableIterator<[string, StoredDescription]> {
    return this.pendingDescriptions.entries();
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
    if (mode !== this.cfg.mode) this.decisionChanges++;
    this.cfg = Object.assign({}, this.cfg, { mode });
  }

  /** How convergence windows close and whether the namespace seals itself when settled. */
  configureConvergence(settings: ConvergenceSettings, now?: number): void {
    this.conv.configure(settings, now);
  }

  /** A learning namespace whose convergence says it should seal itself now. */
  autoSealDue(): boolean {
    return this.cfg.mode === 'learn' && this.conv.autoSealDue();
  }

  /**
   * Seals a learning namespace once its convergence says so (`autoSealAfter` quiet windows in a
   * row); returns the mode it switched to. Called between events, so every event is modeled in
   * one mode and a mirror of the namespace sees the change in order.
   */
  autoSealIfDue(): Mode | undefined {
    if (!this.autoSealDue()) return undefined;
    this.setMode(this.conv.settings.autoSealMode);
    return this.cfg.mode;
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
    this.cfg = Object.assign({}, this.cfg, { aggregate });
    this.m = seedMeasurement(this.alg, this.cfg.base, aggregate);
  }

  /**
   * The task table key: the event's origin (the exporter identity and host it came from, so pids
   * of different hosts are different tasks) and its pid, or its TASK_ID for kernel sources
   * without pids. Events without an origin (files, replays) keep the bare `pid:N`.
   */
  private taskKey(e: TsemEvent, origin: string): string {
    const pid = e.header.pid;
    if (pid === undefined) return taskKeyOf(e.header, origin);
    // The same key string for the same origin and pid: no string built (and hashed) per event.
    let byPid = this.keyCache.get(origin);
    if (!byPid) {
      if (this.keyCache.size >= 1024) this.keyCache.clear();
      this.keyCache.set(origin, (byPid = new Map<number, string>()));
    }
    let key = byPid.get(pid);
    if (key === undefined) {
      if (byPid.size >= MAX_TASKS) byPid.clear();
      byPid.set(pid, (key = taskKeyOf(e.header, origin)));
    }
    return key;
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
      // Identity first: the header scanner shares one Buffer per TASK_ID.
      if (t && sameBytes(t.taskId, h.taskId) && sameBytes(t.pTaskId, pTaskId)) return t;
      const task: Task = { taskId: h.taskId, pTaskId, trust: t?.trust ?? 'trusted' };
      if (t?.cause) task.cause = t.cause;
      task.start = h.start;
      return this.tasks.set(key, task);
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
    return this.tasks.set(key, Object.assign({}, t, { start }));
  }

  /**
   * Maps one event and compares it with the contour map (§2.6, §3.5). `origin` names where it came
   * from (exporter identity and host): tasks are per origin. `now` is the engine's clock (ms since
   * the epoch) for first/last seen times and time windows; offline callers may omit it.
   */
  process(e: TsemEvent, origin = '', now?: number): Verdict {
    const seq = ++this.events;
    const tkey = this.taskKey(e, origin);
    let task = this.resolveTask(e, tkey, origin);

    if (e.cell.hook === 'bprm_committed_creds' && !e.header.taskId) {
      // §2.5: exec derives the new TASK_ID; TSEM-6.12 does not model it as an event.
      task = this.tasks.exec(tkey, this.mapper.taskId(task.pTaskId, e.coe, e.cell.value.file));
      this.conv.record(false, now);
      return verdict('lifecycle', 'allow', undefined, task, seq);
    }
    // A Landlock denial is what the kernel refused, not what the task did: it is judged even for an
    // untrusted task (else only a task's first denial would be seen), and never learned as
    // allowed, a finding instead (docs/landlock.md §5).
    const denial = e.header.landlock !== undefined;
    if (task.trust === 'untrusted' && this.sealed && !denial) {
      // §3.5: an untrusted task skips modeling; EPERM iff enforcing.
      this.conv.record(false, now);
      return verdict(
        'untrusted-task',
        this.cfg.mode === 'enforce' ? 'deny' : 'allow',
        undefined,
        task,
        seq
      );
    }

    const key = this.mapper.coefficientKey(e.header.type, task.pTaskId, task.taskId, e.coe, e.cell);
    const known = this.map.getByKey(key);
    const d = compareToContour(
      known,
      denial && this.cfg.mode === 'learn' ? 'audit' : this.cfg.mode
    );
    const action = d.deny ? 'deny' : 'allow';
    // Points keep only the key (compact storage): the verdict's Buffer is made or reused here.
    const c = known ? this.map.coefficientOf(known) : Buffer.from(key, 'latin1');
    if (known) {
      known.count++;
      if (now !== undefined) known.last = now;
      if (d.promote) known.valid = true;
      this.dirtyPoints.add(known);
    } else if (d.finding) {
      const hex = c.toString('hex');
      if (this.auditFindings.record(c, hex, now))
        this.pendingDescriptions.set(hex, Object.assign(describeEvent(e, task), { line: e.line }));
    } else if (d.add) {
      const hex = c.toString('hex');
      // §2.6: a new point extends the measurement whether it is valid or forensic.
      this.m = extend(this.alg, this.cfg.base, this.m, c);
      // A finding of the same coefficient (an audit run before) becomes this point: its count
      // and its first event's description (written once) go with it.
      const was = this.auditFindings.take(hex);
      this.dirtyPoints.add(
        this.map.add(key, d.add === 'valid', {
          count: (was?.count ?? 0) + 1,
          first: was?.first ?? now,
          last: now,
          described: true,
        })
      );
      if (!was) this.pendingDescriptions.set(hex, describeEvent(e, task));
      // The held list keeps the point's key (no Buffer per entry); the change set the Buffer.
      (d.add === 'valid' ? this.trajectoryEntries : this.forensicEntries).push(key, e.line);
      (d.add === 'valid' ? this.newTrajectory : this.newForensics).push({
        coefficient: c,
        line: e.line,
      });
    }
    this.conv.record(d.add !== undefined, now);
    if (d.untrust)
      this.tasks.markUntrusted(tkey, task, {
        seq,
        type: e.header.type,
        coefficient: c.toString('hex'),
      });
    const v = verdict(d.kind, action, c, task, seq, d.add !== undefined);
    return denial ? Object.assign(v, { landlock: e.header.landlock }) : v;
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
   * pseudonyms, and `seal` (which keeps enforce if enforce was set first, as Quixote does). A state
   * the namespace holds as a forensic point becomes valid in place, a finding becomes a point: the
   * author's model is the judge. Notes bring counts and descriptions to new points. With `replace`
   * the map starts over first (points, trajectory, forensics, findings; tasks keep their trust).
   */
  loadModel(model: ModelFile, opts: { replace?: boolean; now?: number } = {}): LoadOutcome {
    if (model.digest !== this.alg.name) {
      throw new EngineError(
        'TSEM_MODEL_FILE',
        `model is ${model.digest} but namespace ${this.id} uses ${this.alg.name}`
      );
    }
    this.decisionChanges++;
    if (opts.replace) this.clearModel();
    if (model.base && !model.base.equals(this.cfg.base)) {
      if (this.map.size > 0)
        throw new EngineError(
          'TSEM_MODEL_FILE',
          `namespace ${this.id}: base must be set before any point`
        );
      this.cfg = Object.assign({}, this.cfg, { base: model.base });
      this.m = seedMeasurement(this.alg, model.base, this.cfg.aggregate);
    }
    for (const p of model.pseudonyms) this.pseudonyms.add(p.toString('hex'));
    let added = 0;
    let promoted = 0;
    let accepted = 0;
    for (const s of model.states) {
      const hex = s.toString('hex');
      const note = model.notes?.get(hex);
      const known = this.map.get(hex);
      if (known) {
        if (!known.valid) {
          known.valid = true;
          promoted++;
        }
        if (!known.described && note?.description) {
          known.described = true;
          this.pendingDescriptions.set(hex, note.description);
        }
        this.dirtyPoints.add(known);
        continue;
      }
      const finding = this.auditFindings.take(hex);
      if (finding) accepted++;
      else added++;
      this.m = extend(this.alg, this.cfg.base, this.m, s);
      const p = this.map.add(s, true, {
        count: finding?.count ?? note?.count ?? 0,
        first: finding?.first ?? opts.now,
        last: finding?.last,
        described: finding !== undefined || note?.description !== undefined,
      });
      if (!finding && note?.description) this.pendingDescriptions.set(hex, note.description);
      this.dirtyPoints.add(p);
    }
    if (model.pseudonyms.length > 0) this.mapper = this.createMapper();
    if (model.sealed && !this.sealed) this.setMode('sealed');
    this.edits++;
    return { added, promoted, accepted };
  }

  /** Starts the map over (a model replace): the store is told to drop what it holds. */
  private clearModel(): void {
    this.map = new ContourMap();
    this.trajectoryEntries = new HeldList();
    this.forensicEntries = new HeldList();
    this.newTrajectory = [];
    this.newForensics = [];
    this.dirtyPoints = new Set();
    this.auditFindings.clear();
    this.pendingDescriptions = new Map();
    this.pseudonyms.clear();
    this.mapper = this.createMapper();
    this.cfg = Object.assign({}, this.cfg, { base: this.alg.nullDigest });
    this.m = seedMeasurement(this.alg, this.cfg.base, this.cfg.aggregate);
    this.reset = true;
    this.resets++;
  }

  /**
   * Accepts coefficients into the model, as the author decides (findings and forensics): a
   * finding becomes a valid point now, extending the measurement at this moment with its event
   * appended to the trajectory, exactly as if the namespace had learned it; a forensic point
   * becomes valid in place (it extended the measurement when it was first seen). Tasks made
   * untrusted stay untrusted. A valid point is left as it is; an unknown one is reported.
   */
  accept(targets: readonly AcceptTarget[], now?: number): AcceptOutcome[] {
    this.edits++;
    return targets.map(({ hex, line }) => {
      const known = this.map.get(hex);
      if (known) {
        if (known.valid) return { hex, was: 'valid' };
        known.valid = true;
        this.dirtyPoints.add(known);
        return { hex, was: 'forensic' };
      }
      const f = this.auditFindings.take(hex);
      if (!f) return { hex, was: 'unknown' };
      this.m = extend(this.alg, this.cfg.base, this.m, f.coefficient);
      const p = this.map.add(f.coefficient, true, {
        count: f.count,
        first: f.first ?? now,
        last: f.last,
        described: true,
      });
      this.dirtyPoints.add(p);
      const entry = { coefficient: f.coefficient, line: line ?? '' };
      this.trajectoryEntries.push(p.key, entry.line);
      this.newTrajectory.push(entry);
      return { hex, was: 'finding' };
    });
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
    const descriptions = new Map(t.descriptions);
    for (const e of t.forensics) {
      const hex = e.coefficient.toString('hex');
      if (this.map.get(hex)) continue;
      this.m = extend(this.alg, this.cfg.base, this.m, e.coefficient);
      const description = descriptions.get(hex);
      const p = this.map.add(e.coefficient, false, { described: description !== undefined });
      this.dirtyPoints.add(p);
      if (description) this.pendingDescriptions.set(hex, description);
      this.forensicEntries.push(p.key, e.line);
      this.newForensics.push(e);
      this.events++;
    }
    for (const [key, task] of t.untrusted) {
      const known = this.tasks.get(key);
      if (known) this.tasks.markUntrusted(key, known);
      else this.tasks.set(key, Object.assign({}, task, { trust: 'untrusted' as const }));
    }
  }

  drainChanges(): ChangeSet {
    const findings = this.auditFindings.drain();
    const cs: ChangeSet = {
      points: [...this.dirtyPoints],
      trajectory: this.newTrajectory,
      trajectoryStart: this.trajectoryEntries.length - this.newTrajectory.length,
      forensics: this.newForensics,
      forensicsStart: this.forensicEntries.length - this.newForensics.length,
      audit: findings.changed,
      removedFindings: findings.removed,
      descriptions: [...this.pendingDescriptions],
      tasks: this.tasks.drainDirty(),
      rejected: this.newRejected,
      rejectedStart: this.rejectedEntries.length - this.newRejected.length,
      reset: this.reset,
      ingest: this.ingest.drain(),
    };
    this.newRejected = [];
    this.dirtyPoints = new Set();
    this.newTrajectory = [];
    this.newForensics = [];
    this.pendingDescriptions = new Map();
    this.reset = false;
    return cs;
  }

  /** The changes since the last drain with the figures a copy elsewhere needs (engine/shard). */
  drainDelta(): ModelDelta {
    return this.deltaOf(this.drainChanges());
  }

  /**
   * The whole model as a delta onto a new copy (engine/shard), leaving pending changes pending.
   * Entries carry no lines and no descriptions go: a copy that only decides needs neither.
   */
  wholeDelta(): ModelDelta {
    const bare = (e: HeldEntry): EventEntry => ({ coefficient: e.coefficient, line: '' });
    return this.deltaOf({
      points: this.map.points(),
      trajectory: this.trajectoryEntries.map(bare),
      trajectoryStart: 0,
      forensics: this.forensicEntries.map(bare),
      forensicsStart: 0,
      audit: this.findings(),
      removedFindings: [],
      descriptions: [],
      tasks: [...this.tasks.entries()],
      rejected: this.rejectedEntries,
      rejectedStart: 0,
      reset: true,
      ingest: this.ingest.all().map((e) => [ledgerKey(e), e]),
    });
  }

  private deltaOf(changes: ChangeSet): ModelDelta {
    return {
      changes,
      config: this.cfg,
      pseudonyms: [...this.pseudonyms],
      measurement: this.m,
      events: this.events,
      rejectedTotal: this.rejectedTotal,
      convergence: this.conv.snapshot(),
      decisionChanges: this.decisionChanges,
      identityChanges: this.tasks.identityChanges,
    };
  }

  /**
   * Applies a delta drained from another copy of this namespace (engine/shard). With `record`
   * the changes are this copy's to write (its next drainChanges() holds them); without, they
   * are only taken in. Throws when the copies have drifted apart: entries out of place, or a
   * measurement the new points do not give.
   */
  applyDelta(d: ModelDelta, record: boolean): void {
    const cs = d.changes;
    const drift = (what: string) =>
      new EngineError('TSEM_NAMESPACE', `namespace ${this.id}: copies drifted apart (${what})`);
    if (cs.reset) {
      this.clearModel();
      this.reset = record;
    }
    const reseed =
      !this.cfg.base.equals(d.config.base) || !this.cfg.aggregate.equals(d.config.aggregate);
    this.cfg = d.config;
    if (reseed && this.map.size > 0) throw drift('base or aggregate changed after points');
    if (reseed) this.m = seedMeasurement(this.alg, this.cfg.base, this.cfg.aggregate);
    if (
      d.pseudonyms.length !== this.pseudonyms.size ||
      d.pseudonyms.some((p) => !this.pseudonyms.has(p))
    ) {
      this.pseudonyms.clear();
      for (const p of d.pseudonyms) this.pseudonyms.add(p);
      this.mapper = this.createMapper();
    }
    // In the delta's order (the store's); a new point extends the measurement (§2.6): the check.
    for (const p of cs.points) {
      let q = this.map.getByKey(p.key);
      if (q) {
        q.valid = p.valid;
        q.count = p.count;
        q.first = p.first;
        q.last = p.last;
        q.described = p.described;
      } else {
        if (p.index !== this.map.size) throw drift(`point ${p.index} arrived as ${this.map.size}`);
        q = this.map.add(p.key, p.valid, p);
        this.m = extend(this.alg, this.cfg.base, this.m, this.map.coefficientOf(q));
      }
      if (record) this.dirtyPoints.add(q);
    }
    if (!this.m.equals(d.measurement)) throw drift('measurement');
    const entries = (
      list: HeldList,
      fresh: EventEntry[],
      from: number,
      es: readonly EventEntry[]
    ) => {
      if (from !== list.length) throw drift(`entry ${from} arrived as ${list.length}`);
      for (const e of es) {
        const k = coefficientKey(e.coefficient);
        list.push(this.map.getByKey(k)?.key ?? k, e.line);
        if (record) fresh.push(e);
      }
    };
    entries(this.trajectoryEntries, this.newTrajectory, cs.trajectoryStart, cs.trajectory);
    entries(this.forensicEntries, this.newForensics, cs.forensicsStart, cs.forensics);
    this.auditFindings.apply(cs.audit, cs.removedFindings, record);
    if (record) for (const [hex, desc] of cs.descriptions) this.pendingDescriptions.set(hex, desc);
    this.tasks.applyChanges(cs.tasks, d.identityChanges, record);
    if (cs.rejectedStart !== this.rejectedEntries.length) throw drift('rejected lines');
    this.rejectedEntries.push(...cs.rejected);
    if (record) this.newRejected.push(...cs.rejected);
    this.rejectedTotal = d.rejectedTotal;
    this.ingest.apply(cs.ingest, record);
    this.events = d.events;
    this.conv = Convergence.restore(d.convergence);
    this.decisionChanges = d.decisionChanges;
  }

  /** Every record as one change set (pending changes included), replacing whatever the store
   * held: writes a namespace restored from elsewhere, such as a fleet snapshot, whole. */
  allChanges(): ChangeSet {
    if (this.linesReleased)
      throw new EngineError(
        'TSEM_STORE',
        `namespace ${this.id}: its older lines live in the store; it cannot be written whole from memory`
      );
    const pending = this.drainChanges();
    return {
      points: this.map.points(),
      trajectory: this.trajectoryEntries.slice() as EventEntry[],
      trajectoryStart: 0,
      forensics: this.forensicEntries.slice() as EventEntry[],
      forensicsStart: 0,
      audit: this.findings(),
      removedFindings: [],
      descriptions: pending.descriptions,
      tasks: [...this.tasks.entries()],
      rejected: this.rejectedEntries,
      rejectedStart: 0,
      reset: true,
      ingest: pending.ingest,
    };
  }

  /** Rebuilds a namespace from persisted parts; the measurement is recomputed and checked. */
  static restore(parts: {
    config: NamespaceConfig;
    points: readonly (Pick<Point, 'coefficient' | 'valid' | 'count' | 'first' | 'last'> & {
      described?: boolean;
    })[];
    trajectory: readonly EventEntry[];
    forensics: readonly EventEntry[];
    audit: readonly Finding[];
    tasks: readonly [string, Task][];
    pseudonyms: readonly string[];
    events: number;
    measurement: Buffer;
    convergence?: ConvergenceSnapshot;
    rejected?: readonly RejectedEntry[];
    rejectedTotal?: number;
    ingest?: readonly LedgerEntry[];
  }): NamespaceModel {
    const ns = new NamespaceModel(parts.config);
    for (const p of parts.pseudonyms) ns.pseudonyms.add(p);
    ns.mapper = ns.createMapper();
    for (const p of parts.points) {
      ns.map.add(p.coefficient, p.valid, {
        count: p.count,
        first: p.first,
        last: p.last,
        described: p.described ?? false,
      });
      ns.m = extend(ns.alg, ns.cfg.base, ns.m, p.coefficient);
    }
    if (!ns.m.equals(parts.measurement)) {
      throw new EngineError(
        'TSEM_STORE',
        `namespace ${ns.id}: stored measurement does not match its points (store corrupted?)`
      );
    }
    // Each entry keeps its point's key (one string for both); an entry without a point its own.
    const keyOf = (c: Buffer) => {
      const k = coefficientKey(c);
      return ns.map.getByKey(k)?.key ?? k;
    };
    for (const e of parts.trajectory) ns.trajectoryEntries.push(keyOf(e.coefficient), e.line);
    for (const e of parts.forensics) ns.forensicEntries.push(keyOf(e.coefficient), e.line);
    ns.rejectedEntries.push(...(parts.rejected ?? []));
    ns.rejectedTotal = Math.max(parts.rejectedTotal ?? 0, ns.rejectedEntries.length);
    for (const a of parts.audit) ns.auditFindings.restore(a);
    // Tasks without an order (snapshots of earlier releases) keep the order they come in.
    ns.tasks.load(
      parts.tasks.map(([k, t], i) => [k, Object.assign({}, t, { order: t.order ?? i + 1 })])
    );
    ns.events = parts.events;
    if (parts.convergence) ns.conv = Convergence.restore(parts.convergence);
    ns.ingest.load(parts.ingest ?? []);
    return ns;
  }
}
