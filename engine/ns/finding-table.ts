/**
 * Audit-mode findings of one namespace: unknown points that would be off-contour, once each with
 * a count and the engine times first and last seen. Their descriptions live with the namespace's
 * other descriptions (stored, not held here). Pure.
 */

export interface Finding {
  readonly coefficient: Buffer;
  count: number;
  /** Engine time (ms since the epoch) first and last seen; absent when no clock was given. */
  first?: number;
  last?: number;
}

export class FindingTable {
  private readonly byHex = new Map<string, Finding>();
  private dirty = new Set<string>();
  private removed = new Set<string>();

  get size(): number {
    return this.byHex.size;
  }

  get(hex: string): Readonly<Finding> | undefined {
    return this.byHex.get(hex);
  }

  values(): IterableIterator<Readonly<Finding>> {
    return this.byHex.values();
  }

  /** Counts one more event on `hex`; true when it is a new finding. */
  record(coefficient: Buffer, hex: string, now: number | undefined): boolean {
    let f = this.byHex.get(hex);
    const isNew = !f;
    if (!f) this.byHex.set(hex, (f = { coefficient, count: 0, first: now }));
    f.count++;
    if (now !== undefined) f.last = now;
    this.dirty.add(hex);
    this.removed.delete(hex);
    return isNew;
  }

  /** Takes a finding out (accepted into the model); returns it. */
  take(hex: string): Finding | undefined {
    const f = this.byHex.get(hex);
    if (!f) return undefined;
    this.byHex.delete(hex);
    this.dirty.delete(hex);
    this.removed.add(hex);
    return f;
  }

  /** Forgets every finding (the model was replaced; the store clears them itself). */
  clear(): void {
    this.byHex.clear();
    this.dirty.clear();
    this.removed.clear();
  }

  restore(f: Finding): void {
    this.byHex.set(f.coefficient.toString('hex'), { ...f });
  }

  /** Applies another copy's drained findings (engine/shard); `record` marks them changed here. */
  apply(changed: readonly Finding[], removed: readonly string[], record: boolean): void {
    for (const hex of removed) {
      this.byHex.delete(hex);
      if (record) {
        this.dirty.delete(hex);
        this.removed.add(hex);
      }
    }
    for (const f of changed) {
      const hex = f.coefficient.toString('hex');
      this.byHex.set(hex, Object.assign({}, f));
      if (record) {
        this.dirty.add(hex);
        this.removed.delete(hex);
      }
    }
  }

  drain(): { changed: Finding[]; removed: string[] } {
    const out = {
      changed: [...this.dirty].map((h) => this.byHex.get(h)!).filter(Boolean),
      removed: [...this.removed],
    };
    this.dirty = new Set();
    this.removed = new Set();
    return out;
  }
}
