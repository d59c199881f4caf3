/**
 * Exactly-once ingest, per namespace: for each exporter session (the exporter's stable id and the
 * session its sequence numbers belong to), the last sequence number applied. It changes with the
 * events it covers and is persisted in the same atomic batch, so a retry after a crash finds
 * exactly the events that were applied. Bounded: past MAX_SESSIONS, the session heard from least
 * recently is forgotten (its exporter would have to retry a batch older than all the others'). Pure.
 */

/** Sessions remembered per namespace. */
export const MAX_SESSIONS = 1024;

export interface LedgerEntry {
  readonly exporter: string;
  readonly session: string;
  readonly seq: number;
  /** When it was last noted, in this namespace's count: the order sessions are forgotten in. */
  readonly noted: number;
}

const keyOf = (exporter: string, session: string) => `${exporter}/${session}`;

/** An entry's key in drain() and apply(). */
export const ledgerKey = (e: LedgerEntry): string => keyOf(e.exporter, e.session);

export class IngestLedger {
  /** By `exporter/session`, least recently noted first. */
  private readonly entries = new Map<string, LedgerEntry>();
  private readonly dirty = new Set<string>();
  private lastNoted = 0;

  /** Whether event `seq` of the exporter's `session` was applied already. */
  applied(exporter: string, session: string, seq: number): boolean {
    const e = this.entries.get(keyOf(exporter, session));
    return e !== undefined && seq <= e.seq;
  }

  /** Records event `seq` of the exporter's `session` as applied. */
  note(exporter: string, session: string, seq: number): void {
    const key = keyOf(exporter, session);
    const e = this.entries.get(key);
    if (e && seq <= e.seq) return;
    this.entries.delete(key);
    this.entries.set(key, { exporter, session, seq, noted: ++this.lastNoted });
    this.dirty.add(key);
    if (this.entries.size > MAX_SESSIONS) {
      const oldest = this.entries.keys().next().value!;
      this.entries.delete(oldest);
      this.dirty.add(oldest);
    }
  }

  get(exporter: string, session: string): LedgerEntry | undefined {
    return this.entries.get(keyOf(exporter, session));
  }

  all(): LedgerEntry[] {
    return [...this.entries.values()];
  }

  /** What changed since the last drain, by key: an entry to write, or undefined to delete. */
  drain(): [string, LedgerEntry | undefined][] {
    const out = [...this.dirty].map((k): [string, LedgerEntry | undefined] => [
      k,
      this.entries.get(k),
    ]);
    this.dirty.clear();
    return out;
  }

  /** Applies another copy's drained entries (engine/shard); `record` marks them changed here. */
  apply(changes: readonly (readonly [string, LedgerEntry | undefined])[], record: boolean): void {
    // Map order is the forgetting order: re-inserted by when they were noted, as load() does.
    const noted: LedgerEntry[] = [];
    for (const [key, e] of changes) {
      this.entries.delete(key);
      if (e) noted.push(e);
      if (record) this.dirty.add(key);
    }
    for (const e of noted.sort((a, b) => a.noted - b.noted)) {
      this.entries.set(keyOf(e.exporter, e.session), e);
      this.lastNoted = Math.max(this.lastNoted, e.noted);
    }
  }

  /** Restores persisted entries (in any order). */
  load(entries: readonly LedgerEntry[]): void {
    for (const e of [...entries].sort((a, b) => a.noted - b.noted)) {
      this.entries.set(keyOf(e.exporter, e.session), e);
      this.lastNoted = Math.max(this.lastNoted, e.noted);
    }
  }
}
