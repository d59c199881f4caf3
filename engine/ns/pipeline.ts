/**
 * The per-namespace RxJS pipeline: work is grouped by namespace (one ordered sub-pipeline each,
 * created on first use, retired when the namespace is deleted), coalesced into batches, mapped by
 * the model, compared with the contour map, persisted in one atomic batch (with the exporters'
 * applied positions and what the stages add, such as IMA log entries), then fanned out.
 * A failure in one namespace rejects that namespace's work only; the others go on.
 *
 * Decide from memory, persist behind: a submitter may take the verdicts as soon as they exist
 * (`decided`), and the namespace's next run of events is applied while the previous one is still
 * being written (one write behind at most); acknowledgements still wait for the write.
 *
 * Exactly once: an event numbered by its exporter (id, session, sequence number) that the
 * namespace already applied is answered `duplicate` and not modeled again.
 *
 * Durable means durable: when a write fails (disk full, I/O error), nothing of that batch is
 * acknowledged, ingest stops (every batch is rejected, held events get their source's fail mode)
 * and store-recovery.ts brings the in-memory model back to what the store holds, keeping the
 * batch's security transitions, then writes them first once the store is writable again.
 */
import { filter, groupBy, mergeMap, Subject, type Subscription, take } from 'rxjs';
import { EngineError, errorMessage, ParseError } from '../../common/errors.js';
import { escapeBytes, escapeText } from '../../common/escape.js';
import type { TsemEvent, TsemRecord } from '../event/event.js';
import type { TsemEventJson } from '../../proto/kernel-json.js';
import { EventParseCache, type StructuredInput } from '../event/parse-cache.js';
import { parseEventObject } from '../event/parse-json.js';
import { applyRecord } from './apply-record.js';
import type { NamespaceModel, Verdict } from './namespace-model.js';
import type { PipelineStage, StageRecord } from './stage.js';
import { coalesce } from './operators/coalesce.js';
import type { NamespaceRegistry } from './registry.js';
import { StoreRecovery } from './store-recovery.js';

/** One event as it arrives: a source's JSON object, a raw kernel line, or a structured wire event. */
export type IncomingEvent =
  | { readonly obj: TsemEventJson }
  | { readonly line: Buffer }
  | { readonly structured: StructuredInput };

export interface EventOrigin {
  readonly host: string;
  readonly exporter: string;
  /** The authenticated identity that sent the events (absent for in-process sources). */
  readonly identity?: string;
}

/** The origin tasks are keyed by: identity and host, so no host (or tenant) taints another's pids. */
export function taskOrigin(o: EventOrigin): string {
  return o.identity === undefined ? o.host : `${o.identity}@${o.host}`;
}

/** The result for one incoming event: a verdict, or why it was rejected. */
export type Outcome =
  | {
      readonly verdict: Verdict;
      readonly event: TsemEvent;
      readonly records?: readonly StageRecord[];
    }
  | { readonly verdict?: undefined; readonly note: 'aggregate' | 'log'; readonly seq: number }
  | {
      readonly verdict?: undefined;
      readonly error: string;
      /** A line that could not be parsed, in a sealed namespace: its event number (evidence). */
      readonly seq?: number;
      /** Never allowed silently: an alert where the namespace is sealed (or audited)… */
      readonly alert?: boolean;
      /** …and denied where it enforces (fail closed). */
      readonly deny?: boolean;
    }
  /** Applied before under the same exporter sequence number: acknowledged, not modeled again. */
  | { readonly verdict?: undefined; readonly duplicate: true };

/** Where a batch's events stand in their exporter's numbering (exactly-once ingest). */
export interface IngestPosition {
  /** The exporter's stable id and the session its numbers belong to. */
  readonly exporter: string;
  readonly session: string;
  /** Each event's sequence number, index for index. */
  readonly seqs: readonly number[];
}

/** Receives every processed batch after it is persisted (the fan-out to subscribers). */
export type Publish = (
  ns: NamespaceModel,
  origin: EventOrigin,
  outcomes: readonly Outcome[]
) => void;

type Work =
  | {
      kind: 'events';
      ns: string;
      origin: EventOrigin;
      at: number;
      events: readonly IncomingEvent[];
      position?: IngestPosition;
      /** Called with the verdicts once they exist, before persistence (decide from memory). */
      decided?: (o: readonly Outcome[]) => void;
      done: (o: Outcome[]) => void;
      fail: (e: unknown) => void;
    }
  | {
      kind: 'control';
      ns: string;
      run: (ns: NamespaceModel) => unknown;
      /** A read changes nothing: a run of reads only writes no batch. */
      readOnly?: boolean;
      done: (v: unknown) => void;
      fail: (e: unknown) => void;
    };

/** Timings and depth for metrics; every hook optional. */
export interface PipelineObserver {
  /** Seconds one atomic persist took. */
  persisted?(seconds: number): void;
  /** Seconds from a batch's submission to its verdicts being ready to acknowledge. */
  decided?(seconds: number): void;
  /** Work items submitted and not yet settled changed by `delta`. */
  pending?(delta: number): void;
  /**
   * An allow the namespace gave before may not hold any more (its decisionEpoch moved, or it was
   * replaced): called before any verdict of the work that changed it is settled, so verdict caches
   * outside the engine (the fanotify reader's) are emptied before a process can act again.
   */
  decisionsChanged?(ns: string): void;
}

/** Most work items coalesced into one persist. */
const MAX_COALESCE = 64;
/** Most events applied in one run: a run holds the event loop, and signals must get through. */
const MAX_RUN_EVENTS = 8192;

export class Pipeline {
  private readonly input = new Subject<Work>();
  private readonly retired = new Subject<string>();
  private readonly sub: Subscription;
  /** Per namespace (digest sizes differ); a deleted namespace's cache goes with it. */
  private readonly caches = new WeakMap<NamespaceModel, EventParseCache>();
  private readonly recovery: StoreRecovery;
  /** Per namespace: its last run, settled once answered, and whether it held control work. */
  private readonly behind = new Map<string, { done: Promise<void>; control: boolean }>();
  /** The decisionEpoch each namespace model had after its last run. */
  private readonly epochs = new WeakMap<NamespaceModel, number>();

  constructor(
    private readonly registry: NamespaceRegistry,
    private readonly publish: Publish,
    private readonly report: (ns: string, err: unknown) => void,
    private readonly stages: readonly PipelineStage[] = [],
    private readonly observer: PipelineObserver = {},
    log: (msg: string) => void = () => undefined
  ) {
    this.recovery = new StoreRecovery(registry, stages, log);
    this.sub = this.input
      .pipe(
        groupBy((w) => w.ns, {
          duration: (g) =>
            this.retired.pipe(
              filter((n) => n === g.key),
              take(1)
            ),
        }),
        mergeMap((group) =>
          group.pipe(
            coalesce(
              (items) => this.run(group.key, items),
              MAX_COALESCE,
              (err, items) => this.failAll(group.key, err, items),
              (w) => (w.kind === 'events' ? w.events.length : 1),
              MAX_RUN_EVENTS
            )
          )
        )
      )
      .subscribe();
  }

  /**
   * Processes one exporter batch's events of one namespace; resolves once persisted (the
   * acknowledgement). `decided`, when given, gets the same verdicts as soon as they exist, before
   * the batch is written: held permission events are answered from memory, persistence follows
   * behind (bounded by the submitter's own window, since its promise still waits for the write).
   */
  submit(
    ns: string,
    origin: EventOrigin,
    events: readonly IncomingEvent[],
    position?: IngestPosition,
    decided?: (o: readonly Outcome[]) => void
  ): Promise<Outcome[]> {
    if (position && position.seqs.length !== events.length)
      throw new RangeError(`${events.length} events but ${position.seqs.length} sequence numbers`);
    this.observer.pending?.(1);
    const at = performance.now();
    return new Promise((done, fail) =>
      this.input.next({ kind: 'events', ns, origin, at, events, position, decided, done, fail })
    ).finally(() => this.observer.pending?.(-1)) as Promise<Outcome[]>;
  }

  /** Why ingest is stopped now (the store failed and is not writable again yet). */
  get stopped(): Error | undefined {
    return this.recovery.stopped;
  }

  /** Runs a control action in the namespace's order (after earlier events), then persists. */
  control<T>(ns: string, run: (ns: NamespaceModel) => T): Promise<T> {
    return new Promise((done, fail) =>
      this.input.next({ kind: 'control', ns, run, done: done as (v: unknown) => void, fail })
    );
  }

  /**
   * Reads the namespace in its order (after earlier events, before later ones), without a write:
   * what `run` sees is everything applied so far, persisted or about to be.
   */
  read<T>(ns: string, run: (ns: NamespaceModel) => T): Promise<T> {
    return new Promise((done, fail) =>
      this.input.next({
        kind: 'control',
        ns,
        run,
        readOnly: true,
        done: done as (v: unknown) => void,
        fail,
      })
    );
  }

  /** Ends the namespace's sub-pipeline (after its queued work). */
  retire(ns: string): void {
    this.observer.decisionsChanged?.(ns);
    this.retired.next(ns);
  }

  close(): void {
    this.sub.unsubscribe();
    this.recovery.close();
  }

  private failAll(ns: string, err: unknown, items: Work[]): void {
    this.report(ns, err);
    for (const w of items) w.fail(err);
  }

  /**
   * Write-behind: a run of events may be applied (and its verdicts decided) while the namespace's
   * previous run of events is still being written; one run's write at most is behind, and answers,
   * acknowledgements and fan-out keep the namespace's order. Control work is never overlapped: it
   * waits for the writes before it, and what follows it waits for its write (a mode or model
   * change is persisted before any event is decided under it).
   */
  private async run(name: string, items: Work[]): Promise<void> {
    const last = this.behind.get(name);
    const behind = last?.done ?? Promise.resolve();
    const control = items.some((w) => w.kind === 'control');
    if (control || last?.control) await behind;
    const applied = this.apply(name, items);
    const done = behind
      .then(async () => (await applied)())
      .catch((err: unknown) => this.failAll(name, err, items));
    const entry = { done, control };
    this.behind.set(name, entry);
    void done.then(() => this.behind.get(name) === entry && this.behind.delete(name));
    await applied.catch(() => undefined);
    await behind;
  }

  /**
   * Applies the work to the model, hands out the decided verdicts and submits the write; returns
   * how to finish once the namespace's earlier work is finished: the answers, after the write.
   */
  private async apply(name: string, items: Work[]): Promise<() => Promise<void>> {
    const refused = this.refusal(items);
    if (refused) return refused;
    const first = items.find((w) => w.kind === 'events');
    const ns = first
      ? await this.registry.forIngest(name, first.origin.identity)
      : this.registry.require(name);
    const refusedNow = this.refusal(items);
    if (refusedNow) return refusedNow;
    const settle: (() => void)[] = [];
    const published: [EventOrigin, Outcome[]][] = [];
    /** Each events item's outcomes, index for index with `items`. */
    const decided: (Outcome[] | undefined)[] = [];
    for (const w of items) {
      if (w.kind === 'events') {
        let cache = this.caches.get(ns);
        if (!cache) this.caches.set(ns, (cache = new EventParseCache(ns.alg.size)));
        const c = cache;
        const origin = w.origin;
        const taskKey = taskOrigin(w.origin);
        const p = w.position;
        const now = Date.now();
        const outcomes = w.events.map((e, i): Outcome => {
          if (p && ns.ingest.applied(p.exporter, p.session, p.seqs[i]!)) return { duplicate: true };
          const o = processOne(ns, c, e, this.stages, origin, taskKey, now);
          if (p) ns.ingest.note(p.exporter, p.session, p.seqs[i]!);
          return o;
        });
        // Decided: out now to whoever asked, before the other items and the write (never taken back).
        // A verdict cache outside must be emptied before a verdict of this item goes out.
        this.noteDecisions(name, ns);
        if (w.decided) deliver(w.decided, outcomes, this.report, name);
        published.push([w.origin, outcomes]);
        decided.push(outcomes);
        settle.push(() => {
          this.observer.decided?.((performance.now() - w.at) / 1000);
          w.done(outcomes);
        });
      } else {
        decided.push(undefined);
        try {
          const v = w.run(ns);
          settle.push(() => w.done(v));
        } catch (err) {
          settle.push(() => w.fail(err));
        }
      }
    }
    this.noteDecisions(name, ns);
    // Acknowledge only what is persisted: one atomic batch for all coalesced work, with what the
    // stages add for it (taken now, in the order the events were applied). Read-only work alone
    // writes nothing.
    const store = this.registry.store;
    const writing = items.some((w) => w.kind === 'events' || !w.readOnly);
    const cs = writing ? ns.drainChanges() : undefined;
    const writes = cs ? this.stages.flatMap((h) => h.persistOps?.(ns) ?? []) : [];
    const committed = () => writes.forEach((wr) => wr.committed?.());
    let failure: Promise<unknown> = Promise.resolve(undefined);
    if (cs && this.registry.get(name) === ns) {
      const t0 = performance.now();
      if (store) {
        // Recovery hears of a failed write at once (it fails every write queued behind it too).
        failure = store
          .persist(
            ns,
            cs,
            writes.flatMap((wr) => wr.ops),
            committed
          )
          .then(
            () => void this.observer.persisted?.((performance.now() - t0) / 1000),
            (err: unknown) =>
              this.recovery.failed(ns, cs, err).then(() => {
                // The model went back to what the store holds: earlier allows may not hold.
                this.observer.decisionsChanged?.(name);
                return err ?? new Error('failed');
              })
          );
      } else committed();
    }
    return async () => {
      const err = await failure;
      if (err !== undefined) {
        const why = `not persisted: ${errorMessage(err)}; ingest stopped until the store is writable again`;
        items.forEach((w, i) =>
          w.kind === 'control' ? w.fail(err) : w.done(notPersisted(decided[i]!, why))
        );
        return;
      }
      for (const h of this.stages) {
        for (const [, outcomes] of published) await h.afterPersist?.(ns, outcomes);
      }
      for (const s of settle) s();
      for (const [origin, outcomes] of published) this.publish(ns, origin, outcomes);
    };
  }

  /** Tells the observer when the namespace's earlier allows may not hold (a new model object too). */
  private noteDecisions(name: string, ns: NamespaceModel): void {
    const epoch = ns.decisionEpoch;
    if (this.epochs.get(ns) === epoch) return;
    this.epochs.set(ns, epoch);
    this.observer.decisionsChanged?.(name);
  }

  /** While the store is failed, work is rejected before it touches the model (answered in order). */
  private refusal(items: Work[]): (() => Promise<void>) | undefined {
    const why = this.recovery.stopped;
    if (!why) return undefined;
    const message = `not persisted: ${why.message}; ingest stopped until the store is writable again`;
    return () => {
      for (const w of items) {
        if (w.kind === 'control') w.fail(why);
        else w.done(w.events.map(() => ({ error: message })));
      }
      return Promise.resolve();
    };
  }
}

/** A decided-callback's failure is reported; it never stops the batch's persistence. */
function deliver(
  decided: (o: readonly Outcome[]) => void,
  outcomes: readonly Outcome[],
  report: (ns: string, err: unknown) => void,
  ns: string
): void {
  try {
    decided(outcomes);
  } catch (err) {
    report(ns, err);
  }
}

/** A batch that was applied but not persisted: every event rejected, kept denials still deny. */
function notPersisted(outcomes: readonly Outcome[], why: string): Outcome[] {
  return outcomes.map((o) =>
    'duplicate' in o ? o : { error: why, ...(o.verdict?.action === 'deny' ? { deny: true } : {}) }
  );
}

/** Runs the stages after the model's verdict, in order; a stage may turn the action into a denial. */
function withStages(
  ns: NamespaceModel,
  event: TsemEvent,
  verdict: Verdict,
  stages: readonly PipelineStage[],
  origin: EventOrigin,
  taskKey: string,
  first: readonly StageRecord[] = []
): Extract<Outcome, { verdict: Verdict }> {
  if (stages.length === 0)
    return first.length > 0 ? { verdict, event, records: first } : { verdict, event };
  let v = verdict;
  let records: StageRecord[] | undefined = first.length > 0 ? [...first] : undefined;
  for (const h of stages) {
    const r = h.afterVerdict(ns, event, v, { origin, taskOrigin: taskKey, records: records ?? [] });
    if (!r) continue;
    if (r.deny && v.action !== 'deny') v = { ...v, action: 'deny' };
    if (r.records) (records ??= []).push(...r.records);
  }
  return { verdict: v, event, records };
}

function parseIncoming(ns: NamespaceModel, cache: EventParseCache, e: IncomingEvent): TsemRecord {
  const opts = { digestSize: ns.alg.size };
  if ('obj' in e) return { kind: 'event', event: parseEventObject(e.obj, opts) };
  if ('structured' in e) return { kind: 'event', event: cache.parseStructured(e.structured, opts) };
  return cache.parseLine(e.line, opts);
}

/** The alert a namespace raises when it seals itself after its quiet windows (convergence). */
function autoSealRecord(ns: NamespaceModel): StageRecord {
  const s = ns.convergence.settings;
  const mode = s.autoSealMode;
  return {
    stage: 'convergence',
    fields: {
      action: 'auto-sealed',
      mode,
      quiet_windows: String(ns.convergence.quietWindows),
      window: s.windowMs ? `${s.windowMs}ms` : `${s.windowEvents} events`,
      points: String(ns.pointCount),
    },
    alert: true,
  };
}

function processOne(
  ns: NamespaceModel,
  cache: EventParseCache,
  e: IncomingEvent,
  stages: readonly PipelineStage[],
  origin: EventOrigin,
  taskKey: string,
  now: number
): Outcome {
  try {
    const applied = applyRecord(ns, parseIncoming(ns, cache, e), {
      acceptAggregate: true,
      origin: taskKey,
      now,
    });
    if (applied.kind === 'event') {
      // A namespace that settles with this event seals itself after it: the stages see this
      // event in the mode it was modeled in (with the record saying so), the next event the new one.
      const sealing = ns.autoSealDue() ? [autoSealRecord(ns)] : [];
      const outcome = withStages(
        ns,
        applied.event,
        applied.verdict,
        stages,
        origin,
        taskKey,
        sealing
      );
      if (sealing.length > 0) ns.autoSealIfDue();
      return outcome;
    }
    return { note: applied.kind, seq: ns.eventCount };
  } catch (err) {
    if (err instanceof ParseError) {
      const r = ns.reject(evidenceText(e), err.message);
      return { error: err.message, seq: r.seq, alert: r.alert, deny: r.deny };
    }
    if (err instanceof EngineError) return { error: err.message };
    return { error: `internal error: ${errorMessage(err)}` };
  }
}

/** Longest part of a rejected event kept as evidence. */
export const MAX_EVIDENCE_CHARS = 16 * 1024;

/** A rejected event as evidence: escaped (it may hold any bytes) and cut to MAX_EVIDENCE_CHARS. */
function evidenceText(e: IncomingEvent): string {
  let text: string;
  if ('line' in e) text = escapeBytes(e.line.subarray(0, MAX_EVIDENCE_CHARS));
  else if ('obj' in e) text = escapeText(JSON.stringify(e.obj));
  else
    text = escapeText(
      JSON.stringify({
        event: e.structured.header,
        COE: e.structured.coe,
        cell_json: escapeBytes(e.structured.cellJson.subarray(0, MAX_EVIDENCE_CHARS)),
      })
    );
  return text.length > MAX_EVIDENCE_CHARS ? `${text.slice(0, MAX_EVIDENCE_CHARS)}…` : text;
}
