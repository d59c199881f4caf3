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
import type { NamespaceModel } from './namespace-model.js';
import type {
  EventOrigin,
  IncomingEvent,
  IngestPosition,
  Outcome,
  PipelineObserver,
  Publish,
  Work,
} from './pipeline-work.js';
import type { PipelineStage } from './stage.js';
import { coalesce } from './operators/coalesce.js';
import type { NamespaceRegistry } from './registry.js';
import type { ShardRunner } from './shard-port.js';
import { StoreRecovery } from './store-recovery.js';
import { WriteBehind } from './write-behind.js';

export {
  type EventOrigin,
  type IncomingEvent,
  type IngestPosition,
  type Outcome,
  type PipelineObserver,
  type Publish,
  taskOrigin,
} from './pipeline-work.js';
export { MAX_EVIDENCE_CHARS } from './process-event.js';

/** Most work items coalesced into one persist. */
const MAX_COALESCE = 64;
/** Most events applied in one run: a run holds the event loop, and signals must get through. */
const MAX_RUN_EVENTS = 8192;

export class Pipeline {
  private readonly input = new Subject<Work>();
  private readonly retired = new Subject<string>();
  private readonly sub: Subscription;
  private readonly recovery: StoreRecovery;
  private readonly runs: WriteBehind;

  constructor(
    registry: NamespaceRegistry,
    publish: Publish,
    report: (ns: string, err: unknown) => void,
    stages: readonly PipelineStage[] = [],
    private readonly observer: PipelineObserver = {},
    log: (msg: string) => void = () => undefined,
    /** Worker threads that decide the namespaces' events (engine/shard); none: this thread.
     * Its owner closes it (after this pipeline). */
    private readonly shards?: ShardRunner
  ) {
    this.recovery = new StoreRecovery(registry, stages, log);
    this.runs = new WriteBehind(registry, publish, report, stages, observer, this.recovery, shards);
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
              (items) => this.runs.run(group.key, items),
              MAX_COALESCE,
              (err, items) => this.runs.failAll(group.key, err, items),
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
    this.shards?.drop(ns);
  }

  close(): void {
    this.sub.unsubscribe();
    this.recovery.close();
  }
}
