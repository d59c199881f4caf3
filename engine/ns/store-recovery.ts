/**
 * What happens when the store cannot write (disk full, I/O error), per the durability contract:
 * - nothing of the failed batch is acknowledged, and ingest stops: the pipeline rejects every
 *   batch before it touches the model (held events get their source's fail mode);
 * - the in-memory model goes back to what the store holds (each namespace whose batch failed is
 *   reloaded, the stages reload theirs, e.g. the IMA logs), keeping the failed batches' security
 *   transitions (forensics, untrusted tasks), which are never rolled back;
 * - the store is reopened (LevelDB's write error is sticky) once a second until it works, the kept
 *   transitions are written first, and ingest resumes.
 */
import { errorMessage } from '../../common/errors.js';
import {
  type ChangeSet,
  type NamespaceModel,
  securityTransitions,
  type SecurityTransitions,
} from './namespace-model.js';
import type { NamespaceRegistry } from './registry.js';
import type { PipelineStage } from './stage.js';

const RETRY_MS = 1000;

export class StoreRecovery {
  /** Per namespace whose write failed: the transitions to keep (in order). */
  private readonly kept = new Map<string, SecurityTransitions[]>();
  private running: Promise<void> | undefined;
  /** Settles once the first roll-back of a recovery was tried. */
  private rolledBack: Promise<void> = Promise.resolve();
  private settleRollBack: () => void = () => undefined;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly registry: NamespaceRegistry,
    private readonly stages: readonly PipelineStage[],
    private readonly log: (msg: string) => void
  ) {
    // Another part's failed write (an alert, say) stops every writer too: recover all the same.
    registry.store?.onFailure?.((err) => this.storeFailed(err));
  }

  /** The store failed outside a namespace's batch: nothing to keep, but it must be reopened. */
  private storeFailed(err: Error): void {
    if (this.running || this.closed) return;
    this.cause = err;
    this.log(`store: write failed: ${errorMessage(err)}; ingest stopped, recovering`);
    this.rolledBack = new Promise<void>((resolve) => (this.settleRollBack = resolve));
    this.running = this.recover().finally(() => {
      this.running = undefined;
      this.settleRollBack();
    });
  }

  /** Why ingest is stopped: the store's failure, until recovery has written the kept transitions. */
  get stopped(): Error | undefined {
    return this.registry.store?.failure ?? (this.running ? this.cause : undefined);
  }

  private cause: Error = new Error('the store is being recovered');

  /**
   * A batch of `ns` with changes `cs` was not written. Resolves once the model was taken back to
   * what the store holds (or that was tried), so that the batch is answered only then.
   */
  failed(ns: NamespaceModel, cs: ChangeSet, err: unknown): Promise<void> {
    const list = this.kept.get(ns.id) ?? this.kept.set(ns.id, []).get(ns.id)!;
    list.push(securityTransitions(cs));
    for (const h of this.stages) h.persistFailed?.(ns);
    if (err instanceof Error) this.cause = err;
    this.storeFailed(err instanceof Error ? err : new Error(String(err)));
    return this.rolledBack;
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  private async recover(): Promise<void> {
    const store = this.registry.store;
    if (!store) return;
    let first = true;
    let said = '';
    while (!this.closed) {
      try {
        await store.idle?.();
        // At once, from the failed database (reads still work): no unwritten change stays in memory.
        if (first) {
          first = false;
          await this.rollBack().finally(() => this.settleRollBack());
        }
        if (store.failure) await store.reopen?.();
        // Again, from the reopened database: a failed attempt below drained what it tried to write.
        await this.rollBack();
        await this.writeKept();
        this.log('store: writable again; ingest resumes');
        return;
      } catch (err) {
        const msg = errorMessage(err);
        if (msg !== said)
          this.log(`store: not writable yet (${msg}); retrying every ${RETRY_MS} ms`);
        said = msg;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, RETRY_MS);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  /** Back to what the store holds (reads work while writes fail), plus the kept transitions. */
  private async rollBack(): Promise<void> {
    const store = this.registry.store!;
    for (const [id, transitions] of this.kept) {
      const fresh = await store.loadNamespace?.(id);
      if (!fresh) {
        this.registry.forget(id);
        this.kept.delete(id);
        continue;
      }
      this.registry.loaded(fresh);
      for (const t of transitions) fresh.keepTransitions(t);
      this.registry.replace(fresh);
    }
    for (const h of this.stages) await h.storeRecovered?.();
  }

  /** The kept transitions go first, before any new event. */
  private async writeKept(): Promise<void> {
    for (const id of [...this.kept.keys()]) {
      const ns = this.registry.get(id);
      if (ns) {
        await this.registry.store!.persist(ns);
        for (const h of this.stages) await h.afterPersist?.(ns, []);
      }
      this.kept.delete(id);
    }
  }
}
