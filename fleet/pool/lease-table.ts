/**
 * Leases and members in key-value buckets, built from what NATS 2.9 offers (no per-message TTL):
 * a lease is a key whose revision its owner moves forward every heartbeat (a compare-and-set on
 * the revision it last wrote). Every engine watches the bucket and notes, by its own clock, when
 * each key last moved; a key that has not moved for the lease time has lapsed, and any engine may
 * take it with a compare-and-set on the revision it saw, so exactly one wins (docs/fleet.md §3).
 * Clocks are never compared between machines: only "how long since I saw it move".
 */
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { decodeToken, encodeToken } from '../nats/names.js';
import { isWrongSequence } from './snapshot-store.js';

export interface KeyView {
  /** Decoded name (a namespace, or an engine id in the members bucket). */
  readonly name: string;
  /** The engine holding it, from the value. */
  readonly owner: string;
  readonly revision: number;
  /** Local monotonic time the revision was first seen. */
  readonly seenAt: number;
  /** Deleted (released): free now. */
  readonly deleted: boolean;
}

export const now = (): number => performance.now();
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The latest revision of every key in a bucket, as this engine saw it move. */
export class KeyWatch {
  private readonly keys = new Map<string, KeyView>();
  private stopped = false;
  private watcher?: { stop(): void };

  constructor(private readonly kv: KV) {}

  /** Starts watching: every key's latest value first (seen now: its age by another clock means
   * nothing here), then each change as it happens. */
  async start(): Promise<void> {
    const w = await this.kv.watch();
    this.watcher = w;
    void (async () => {
      for await (const e of w) if (!this.stopped) this.note(e);
    })();
  }

  /** Watches again (after a reconnection): keys seen at the same revision keep their time. */
  async restart(): Promise<void> {
    this.watcher?.stop();
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.start();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  }

  note(e: Pick<KvWatchEntry, 'key' | 'revision' | 'operation' | 'string'>): void {
    const prev = this.keys.get(e.key);
    if (prev && prev.revision >= e.revision) return;
    let name: string;
    try {
      name = decodeToken(e.key);
    } catch {
      return;
    }
    const deleted = e.operation !== 'PUT';
    let owner = '';
    if (!deleted) {
      try {
        owner = str((JSON.parse(e.string()) as { owner?: unknown }).owner);
      } catch {
        owner = '';
      }
    }
    this.keys.set(e.key, { name, owner, revision: e.revision, seenAt: now(), deleted });
  }

  get(name: string): KeyView | undefined {
    return this.keys.get(encodeToken(name));
  }

  all(): KeyView[] {
    return [...this.keys.values()];
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
  }
}

/** What a compare-and-set said. */
export type CasResult = { ok: true; revision: number } | { ok: false; lost: boolean };

/** Writes `{owner, n}` to the key if it is still at `revision` (0 or a deleted key: absent). */
export async function casOwner(
  kv: KV,
  name: string,
  owner: string,
  revision: number,
  deleted: boolean,
  n: number
): Promise<CasResult> {
  const key = encodeToken(name);
  const value = JSON.stringify({ owner, n });
  try {
    const rev =
      revision === 0 || deleted
        ? await kv.create(key, value)
        : await kv.update(key, value, revision);
    return { ok: true, revision: rev };
  } catch (err) {
    // Another engine moved it first; anything else (timeout, server away) decides nothing.
    return { ok: false, lost: isWrongSequence(err) };
  }
}

/** Deletes the key if it is still at `revision` (a lease handed back). */
export async function casDelete(kv: KV, name: string, revision: number): Promise<boolean> {
  try {
    await kv.delete(encodeToken(name), { previousSeq: revision });
    return true;
  } catch {
    return false;
  }
}
