/**
 * Tells remote exporters' verdict caches when an allow the engine gave may not hold any more
 * (tsem.proto DecisionsChanged): the pipeline's decisionsChanged and canister route changes
 * call changed(), which numbers the change (epoch) and tells every listening Ingest stream at
 * once, before any verdict decided under the change is written.
 */
export type DecisionListener = (namespace: string, epoch: number) => void;

export class DecisionFeed {
  private readonly listeners = new Set<DecisionListener>();
  private changes = 0;

  /** The number of the newest change (0 before any). */
  get epoch(): number {
    return this.changes;
  }

  get listening(): number {
    return this.listeners.size;
  }

  /** `namespace` empty: every namespace (canister routes). */
  changed(namespace: string): void {
    const epoch = ++this.changes;
    for (const l of this.listeners) l(namespace, epoch);
  }

  /** Returns how to stop listening. */
  listen(l: DecisionListener): () => void {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
}
