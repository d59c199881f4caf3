/**
 * A namespace's runs of work, written behind: each run is applied to the model and its verdicts
 * handed out at once (decide from memory), its write submitted, and its answers,
 * acknowledgements and fan-out given once the write and every earlier run of the namespace are
 * done. A failed write answers the run's events as not persisted and hands the namespace to
 * store recovery; while the store is failed, work is refused before it touches the model.
 */
import { EngineError, errorMessage } from '../../common/errors.js';
import { LazyEvent } from '../event/lazy-event.js';
import { EventParseCache } from '../event/parse-cache.js';
import type { NamespaceModel } from './namespace-model.js';
import {
  type EventOrigin,
  type IncomingEvent,
  type Outcome,
  type PipelineObserver,
  type Publish,
  taskOrigin,
  type Work,
} from './pipeline-work.js';
import { mergeChanges } from './change-merge.js';
import type { ChangeSet } from './namespace-types.js';
import type { ShardResult, ShardRunner, WireOutcome } from './shard-port.js';
import { parseIncoming, processRun, withStages } from './process-event.js';
import type { NamespaceRegistry } from './registry.js';
import type { PipelineStage } from './stage.js';
import type { StoreRecovery } from './store-recovery.js';

export class WriteBehind {
  /**
   * One parse cache per digest size, shared by every namespace: identical text parses to
   * identical values whatever namespace it comes to, and the bound is the engine's, not each
   * namespace's (one per namespace held about 65 KiB each for 100 namespaces of one workload).
   */
  private readonly caches = new Map<number, EventParseCache>();
  /** Per namespace: its last run, settled once answered, and whether it held control work. */
  private readonly behind = new Map<string, { done: Promise<void>; control: boolean }>();
  /** The decisionEpoch each namespace model had after its last run. */
  private readonly epochs = new WeakMap<NamespaceModel, number>();

  constructor(
    private readonly registry: NamespaceRegistry,
    private readonly publish: Publish,
    private readonly report: (ns: string, err: unknown) => void,
    private readonly stages: readonly PipelineStage[],
    private readonly observer: PipelineObserver,
    private readonly recovery: StoreRecovery,
    /** Worker threads deciding the namespaces' events (engine/shard); none: this thread. */
    private readonly shards?: ShardRunner
  ) {}

  failAll(ns: string, err: unknown, items: Work[]): void {
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
  async run(name: string, items: Work[]): Promise<void> {
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
    const shards = this.shards;
    /** Changes drained before the end (a sharded namespace's control actions go to its worker). */
    let drained: ChangeSet | undefined;
    for (const w of items) {
      if (w.kind === 'events') {
        const c = this.cacheFor(ns);
        const taskKey = taskOrigin(w.origin);
        const outcomes = shards
          ? await this.decideInShard(shards, name, ns, c, w, taskKey)
          : processRun(ns, c, w.events, this.stages, w.origin, taskKey, Date.now(), w.position);
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
        // The action's own changes, apart from the events' before it, go to the worker's copy.
        if (shards && !w.readOnly) drained = mergeChanges(drained, ns.drainChanges());
        try {
          const v = w.run(ns);
          settle.push(() => w.done(v));
        } catch (err) {
          settle.push(() => w.fail(err));
        }
        if (shards && !w.readOnly) {
          const d = ns.drainDelta();
          shards.update(name, ns, d);
          drained = mergeChanges(drained, d.changes);
        }
      }
    }
    this.noteDecisions(name, ns);
    // Acknowledge only what is persisted: one atomic batch for all coalesced work, with what the
    // stages add for it (taken now, in the order the events were applied). Read-only work alone
    // writes nothing.
    const store = this.registry.store;
    const writing = items.some((w) => w.kind === 'events' || !w.readOnly);
    const cs = writing ? mergeChanges(drained, ns.drainChanges()) : undefined;
    const resets = ns.resetCount;
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
            () => {
              this.observer.persisted?.((performance.now() - t0) / 1000);
              // Persisted: older lines may leave memory (the store reads them back when asked).
              if (ns.resetCount === resets)
                ns.releaseLines(
                  cs.trajectoryStart + cs.trajectory.length,
                  cs.forensicsStart + cs.forensics.length,
                  this.registry.lineTail
                );
            },
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

  private cacheFor(ns: NamespaceModel): EventParseCache {
    let cache = this.caches.get(ns.alg.size);
    if (!cache) this.caches.set(ns.alg.size, (cache = new EventParseCache(ns.alg.size)));
    return cache;
  }

  /**
   * An events item decided in the namespace's worker (engine/shard): each run's outcomes get the
   * stages here, with the mirror as it was when those events were modeled (a run stops where the
   * mode changed), then the mirror takes the run's delta. Events a worker failed to apply are
   * answered as not applied (not acknowledged: sent again, they are not lost).
   */
  private async decideInShard(
    shards: ShardRunner,
    name: string,
    ns: NamespaceModel,
    cache: EventParseCache,
    w: Extract<Work, { kind: 'events' }>,
    taskKey: string
  ): Promise<Outcome[]> {
    const out: Outcome[] = [];
    const p = w.position;
    const now = Date.now();
    while (out.length < w.events.length) {
      const from = out.length;
      const events = from === 0 ? w.events : w.events.slice(from);
      const position = p && from > 0 ? Object.assign({}, p, { seqs: p.seqs.slice(from) }) : p;
      let r: ShardResult;
      try {
        r = await shards.run(name, ns, { origin: w.origin, taskKey, now, position, events });
        if (r.outcomes.length === 0) throw new Error('a shard worker applied none of a run');
      } catch (err) {
        const error = `not applied: ${errorMessage(err)}`;
        this.report(name, err);
        while (out.length < w.events.length) out.push({ error });
        break;
      }
      r.outcomes.forEach((o, i) => out.push(this.afterShard(ns, cache, events[i]!, o, w, taskKey)));
      ns.applyDelta(r.delta, true);
      shards.synced(name, ns);
    }
    return out;
  }

  /**
   * A worker's outcome, its event parsed again here only if something reads it (LazyEvent), and
   * the stages run on it.
   */
  private afterShard(
    ns: NamespaceModel,
    cache: EventParseCache,
    e: IncomingEvent,
    o: WireOutcome,
    w: Extract<Work, { kind: 'events' }>,
    taskKey: string
  ): Outcome {
    if (o.verdict === undefined) return o;
    const event = new LazyEvent(() => {
      const rec = parseIncoming(ns, cache, e);
      if (rec.kind !== 'event')
        throw new EngineError(
          'TSEM_PARSE',
          `namespace ${ns.id}: a ${rec.kind} record decided as an event`
        );
      return rec.event;
    });
    try {
      return withStages(ns, event, o.verdict, this.stages, w.origin, taskKey, o.records);
    } catch (err) {
      return { error: `internal error: ${errorMessage(err)}` };
    }
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
