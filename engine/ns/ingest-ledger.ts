/**
 * Exactly-once ingest, per namespace: for each exporter (its stable id), the session its sequence
 * numbers belong to and the last sequence number applied. It changes with the events it covers
 * and is persisted in the same atomic batch, so a retry after a crash finds exactly the events
 * that were applied. Pure.
 */

export interface LedgerEntry {
  readonly session: string;
  readonly seq: number;
}

export class IngestLedger {
  private readonly entries = new Map<string, LedgerEntry>();
  private readonly dirty = new Set<string>();

  /** Whether event `seq` of the exporter's `session` was applied already. */
  applied(exporter: string, session: string, seq: number): boolean {
    const e = this.entries.get(exporter);
    return e !== undefined && e.session === session && seq <= e.seq;
  }

  /** Records event `seq` as applied; a new session replaces the exporter's old one. */
  note(exporter: string, session: string, seq: number): void {
    const e = this.entries.get(exporter);
    if (e && e.session === session && seq <= e.seq) return;
    this.entries.set(exporter, { session, seq });
    this.dirty.add(exporter);
  }

  get(exporter: string): LedgerEntry | undefined {
    return this.entries.get(exporter);
  }

  all(): [string, LedgerEntry][] {
    return [...this.entries];
  }

  /** What changed since the last drain (for persistence). */
  drain(): [string, LedgerEntry][] {
    const out = [...this.dirty].map((k): [string, LedgerEntry] => [k, this.entries.get(k)!]);
    this.dirty.clear();
    return out;
  }

  load(entries: readonly [string, LedgerEntry][]): void {
    for (const [k, e] of entries) this.entries.set(k, e);
  }
}
