/**
 * Incidents and their delivery, wired: a pipeline stage feeds every processed event to the
 * incident tracker (in each namespace's order, after the other stages so IMA failures are known);
 * after each persisted batch, the tracker's changes are written to the alert store (before the
 * batch is acknowledged) and the outputs are told. A timer closes quiet incidents, emits throttled
 * updates and prunes the log. Every write goes through one chain so the log stays in order.
 */
import { errorMessage } from '../../common/errors.js';
import type { Mutable } from '../../common/mutable.js';
import type { Log } from '../../common/log.js';
import type { TsemEvent } from '../event/event.js';
import type { AlertRecord, Incident } from '../incident/incident.js';
import { type IncidentEvent, IncidentTracker, type TrackerOptions } from '../incident/tracker.js';
import { type NamespaceModel, taskKeyOf, type Verdict } from '../ns/namespace-model.js';
import type { PipelineStage, StageContext } from '../ns/stage.js';
import { type AlertStore, DEFAULT_RETENTION, type Retention } from '../store/alert-store.js';
import { Deliverer, type AlertSink, type Backoff } from './deliverer.js';
import type { OutputSpec } from './output-spec.js';

export interface AlertServiceOptions {
  readonly tracker: TrackerOptions;
  readonly retention?: Retention;
  /** How often quiet incidents are closed and updates emitted (default 1 s). */
  readonly sweepMs?: number;
  /** Whether an incident's tasks are all gone (only answerable for this host's kernel sources). */
  readonly tasksGone?: (inc: Readonly<Incident>, keys: ReadonlySet<string>) => boolean;
  readonly backoff?: Backoff;
  readonly now?: () => number;
}

export interface AlertOutput {
  /** What delivery needs of the spec (a fleet's output has no type or format of its own). */
  readonly spec: Pick<OutputSpec, 'name' | 'maxQueue'>;
  readonly sink: AlertSink;
}

const PRUNE_EVERY_MS = 3_600_000;

export class AlertService {
  readonly tracker: IncidentTracker;
  readonly deliverers: Deliverer[] = [];
  /** Alert-log records written, by activity (for metrics). */
  readonly recordCounts = { open: 0, update: 0, close: 0 };
  private chain: Promise<void> = Promise.resolve();
  /** Drained but not written (the store refused the write): written first by the next flush. */
  private unwritten: {
    incidents: ReturnType<IncidentTracker['drain']>['incidents'];
    records: ReturnType<IncidentTracker['drain']>['records'];
  } = { incidents: [], records: [] };
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;
  private head = 0;
  private readonly now: () => number;
  private readonly listeners = new Set<(head: number) => void>();

  constructor(
    private readonly store: AlertStore,
    private readonly log: Log,
    private readonly opts: AlertServiceOptions
  ) {
    this.tracker = new IncidentTracker(opts.tracker);
    this.now = opts.now ?? Date.now;
  }

  /** Restores open incidents, starts the outputs from their cursors and the sweep timer. */
  async start(outputs: readonly AlertOutput[]): Promise<void> {
    const { open, nextSeq } = await this.store.load();
    this.tracker.restore(open, nextSeq);
    this.head = nextSeq - 1;
    for (const o of outputs) {
      const d = new Deliverer(
        o.spec.name,
        o.sink,
        this.store,
        this.log.child({ output: o.spec.name }),
        o.spec.maxQueue,
        this.opts.backoff
      );
      await d.start(this.head);
      this.deliverers.push(d);
    }
    this.timer = setInterval(() => this.sweep(), this.opts.sweepMs ?? 1000);
    this.timer.unref();
    if (open.length > 0) this.log(`alerts: ${open.length} open incident(s) restored`);
  }

  /** The pipeline stage: runs last, sees the verdict and the other stages' records. */
  readonly stage: PipelineStage = {
    afterVerdict: (ns: NamespaceModel, event: TsemEvent, verdict: Verdict, ctx?: StageContext) => {
      // The common case costs two lookups: no open incident here and not an alert.
      if (!this.tracker.hasOpen(ns.id) && !isAlertOutcome(verdict, ctx)) return undefined;
      this.tracker.observe(incidentEvent(ns, event, verdict, ctx, this.now()));
      return undefined;
    },
    afterPersist: () => this.flush(),
  };

  /** Writes the tracker's changes (in order with every other write) and wakes the outputs. */
  flush(): Promise<void> {
    const run = this.chain.then(async () => {
      const drained = this.tracker.drain(this.now());
      // What a failed write (a full disk) left goes first: the incidents' later states after it.
      const incidents = [...this.unwritten.incidents, ...drained.incidents];
      const records = [...this.unwritten.records, ...drained.records];
      if (incidents.length === 0 && records.length === 0) return;
      try {
        await this.store.write(incidents, records);
      } catch (err) {
        // The events behind them are persisted and acknowledged: the alerts are kept and written
        // with the next flush rather than failing the batch (ingest stops on the model's write).
        if (this.unwritten.records.length === 0 && this.unwritten.incidents.length === 0)
          this.log(`alerts: ${errorMessage(err)}; kept to write again`);
        this.unwritten = { incidents, records };
        return;
      }
      this.unwritten = { incidents: [], records: [] };
      for (const r of records) this.recordCounts[r.activity]++;
      if (records.length > 0) {
        this.head = records[records.length - 1]!.seq;
        for (const d of this.deliverers) d.notify(this.head);
        for (const l of this.listeners) l(this.head);
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private sweep(): void {
    const now = this.now();
    this.tracker.tick(now, this.opts.tasksGone);
    this.flush().catch((err: unknown) => this.log.error(`alerts: ${errorMessage(err)}`));
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.chain = this.chain
        .then(() => this.store.prune(now, this.opts.retention ?? DEFAULT_RETENTION))
        .then(
          (n) => void (n > 0 && this.log(`alerts: pruned ${n} log record(s) past retention`)),
          (err: unknown) => this.log.error(`alerts: pruning failed: ${errorMessage(err)}`)
        );
    }
  }

  /** Incidents from the store (every change is written before its batch is acknowledged). */
  async incidents(q: {
    namespace?: string;
    sinceMs?: number;
    visible: (ns: string) => boolean;
    limit: number;
    openOnly: boolean;
  }): Promise<Incident[]> {
    await this.chain;
    const all = await this.store.incidents(
      Object.assign({}, q, { limit: q.openOnly ? undefined : q.limit })
    );
    return q.openOnly ? all.filter((i) => i.status === 'open').slice(0, q.limit) : all;
  }

  /** The last alert-log record's sequence number (0: none yet). */
  get lastSeq(): number {
    return this.head;
  }

  /** Called with the new head after each write of alert-log records (readers then page them). */
  onRecords(listener: (head: number) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Alert-log records from `from` on, in order, at most `limit` (the oldest may be pruned). */
  async records(from: number, limit: number): Promise<AlertRecord[]> {
    await this.chain;
    return this.store.records(from, limit);
  }

  async incident(id: string): Promise<Incident | undefined> {
    await this.chain;
    return this.store.incident(id);
  }

  incidentOfTask(ns: string, key: string): string | undefined {
    return this.tracker.incidentOfTask(ns, key);
  }

  /** Closes the incidents of released tasks (recorded with who released them). */
  async release(ns: string, keys: readonly string[], by: string): Promise<string[]> {
    const ids = this.tracker.release(ns, keys, by, this.now());
    await this.flush();
    return ids;
  }

  async namespaceDeleted(ns: string): Promise<void> {
    this.tracker.closeNamespace(ns, this.now());
    await this.flush();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.chain;
    await Promise.all(this.deliverers.map((d) => d.stop()));
  }
}

const ALERT_KINDS = new Set(['off-contour', 'would-be-off-contour', 'untrusted-task']);

function isAlertOutcome(v: Verdict, ctx: StageContext | undefined): boolean {
  return (
    v.action === 'deny' ||
    v.landlock !== undefined ||
    ALERT_KINDS.has(v.kind) ||
    (ctx?.records.some((r) => r.stage === 'ima' && r.alert) ?? false)
  );
}

export function incidentEvent(
  ns: NamespaceModel,
  event: TsemEvent,
  verdict: Verdict,
  ctx: StageContext | undefined,
  timeMs: number
): IncidentEvent {
  const h = event.header;
  const ima = (ctx?.records ?? []).filter((r) => r.stage === 'ima' && r.alert).map((r) => r.fields);
  // Built field by field: every event of a namespace with an open incident comes here, and
  // `{ ...x, k }` is slow in Node 20 (docs/performance.md §2).
  const e: Partial<Mutable<IncidentEvent>> = {
    namespace: ns.id,
    mode: ns.mode,
    host: ctx?.origin.host ?? '',
    exporter: ctx?.origin.exporter ?? '',
    timeMs,
    seq: verdict.seq,
    type: h.type,
    process: h.process,
  };
  if (h.pid !== undefined) e.pid = h.pid;
  // The keys the namespace model uses (per origin, namespace-model.ts taskKeyOf).
  e.taskKey = taskKeyOf(h, ctx?.taskOrigin ?? '');
  if (h.ppid !== undefined) e.parentKey = taskKeyOf({ pid: h.ppid }, ctx?.taskOrigin ?? '');
  e.taskId = verdict.taskId.toString('hex');
  e.pTaskId = verdict.pTaskId.toString('hex');
  e.kind = verdict.kind;
  e.action = verdict.action;
  if (verdict.coefficient) e.coefficient = verdict.coefficient.toString('hex');
  e.line = event.line;
  e.ima = ima;
  if (h.landlock !== undefined) e.landlock = h.landlock;
  return e as IncidentEvent;
}
