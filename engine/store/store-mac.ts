/**
 * Namespace records protected against offline edits (docs/security.md §7); the IMA logs have one
 * more accumulator of their own, kept the same way. Every record of a namespace (its meta record and each record of each part, whatever parts exist) contributes
 * HMAC-SHA256(key, part NUL key NUL value-JSON); the XOR of those is the namespace's accumulator,
 * stored as one `mac` record written in the same atomic batch as the records it covers. Editing,
 * adding, removing or swapping a record changes the accumulator, and without the key nobody can
 * compute the new one. A second accumulator over the namespace names catches a namespace deleted
 * or added whole. The key lives apart from the data directory (store-key.ts), so a copied,
 * restored or edited data directory is refused at start. Root on the running host (who can read
 * the key and the process) and rolling back the whole directory to an older unedited copy are out
 * of scope: that needs a monotonic counter (a TPM NV index), not a MAC.
 *
 * Appending is cheap: records of append-only parts (trajectory, forensics, rejected lines) are
 * never rewritten, so only their new records are hashed; for parts whose records change (meta,
 * points, findings, tasks) the MAC of each live record is kept in memory to take the old one out.
 */
import { createHmac } from 'node:crypto';

/** Parts whose records are written once under a fresh key; any other part may be rewritten. A
 * replaced model deletes its append-only records giving their old values (MacItem.old). */
export const APPEND_ONLY_PARTS: ReadonlySet<string> = new Set(['t', 'f', 'r', 'd']);

export interface MacItem {
  /** `meta` or the namespace part (`p`, `t`, …). */
  readonly part: string;
  readonly key: string;
  /** The record's value; undefined for a deletion. */
  readonly value: unknown;
  /** A deletion of an append-only record: the value it held (its MAC is not kept in memory). */
  readonly old?: unknown;
}

/** One record's MAC: what the accumulators XOR (the store's migrations compute it too). */
export function recordMacOf(
  key: Buffer,
  ns: string,
  part: string,
  recordKey: string,
  value: unknown
): Buffer {
  return createHmac('sha256', key)
    .update(`record\0${ns}\0${part}\0${recordKey}\0${JSON.stringify(value)}`)
    .digest();
}

/** XORs `b` into `acc` (both 32 bytes). */
export function xorMac(acc: Buffer, b: Buffer): void {
  xorInto(acc, b);
}

/** What the store writes for the MACs in a batch. */
export interface MacWrite {
  readonly nsAcc: Buffer;
  readonly namesAcc?: Buffer;
  /** Applies the new state once the batch is written. */
  commit(): void;
}

const SIZE = 32;

export function xorInto(acc: Buffer, b: Buffer): void {
  for (let i = 0; i < SIZE; i++) acc[i]! ^= b[i]!;
}

export class StoreMac {
  private readonly nsAcc = new Map<string, Buffer>();
  /** Per namespace, per `part\0key` of a rewritable part: the live record's MAC. */
  private readonly live = new Map<string, Map<string, Buffer>>();
  private namesAcc: Buffer = Buffer.alloc(SIZE);

  constructor(private readonly key: Buffer) {}

  private recordMac(ns: string, part: string, key: string, value: unknown): Buffer {
    return recordMacOf(this.key, ns, part, key, value);
  }

  private nameMac(ns: string): Buffer {
    return createHmac('sha256', this.key).update(`namespace\0${ns}`).digest();
  }

  /** Takes one record's old value out of `acc` and its new value in (a migration's rewrite). */
  swap(acc: Buffer, ns: string, part: string, key: string, from: unknown, to: unknown): void {
    xorInto(acc, this.recordMac(ns, part, key, from));
    xorInto(acc, this.recordMac(ns, part, key, to));
  }

  /** The namespace names' accumulator as the key says it should be, for the known namespaces. */
  get names(): Buffer {
    return this.namesAcc;
  }

  /** Rebuilds a namespace's state from every record it has (at start); returns its accumulator. */
  load(ns: string, records: Iterable<MacItem>): Buffer {
    const acc = Buffer.alloc(SIZE);
    const live = new Map<string, Buffer>();
    for (const r of records) {
      const m = this.recordMac(ns, r.part, r.key, r.value);
      xorInto(acc, m);
      if (!APPEND_ONLY_PARTS.has(r.part)) live.set(`${r.part}\0${r.key}`, m);
    }
    this.nsAcc.set(ns, acc);
    this.live.set(ns, live);
    xorInto(this.namesAcc, this.nameMac(ns));
    return acc;
  }

  /**
   * The accumulators after `items` (one batch of namespace `ns`), applied by commit(). `names`:
   * the namespace list's accumulator as an earlier update of the same write left it.
   */
  update(ns: string, items: readonly MacItem[], names?: Buffer): MacWrite {
    const isNew = !this.nsAcc.has(ns);
    const acc = Buffer.from(this.nsAcc.get(ns) ?? Buffer.alloc(SIZE));
    const live = this.live.get(ns) ?? new Map<string, Buffer>();
    const changes: [string, Buffer | undefined][] = [];
    const pending = new Map<string, Buffer | undefined>();
    for (const it of items) {
      const slot = `${it.part}\0${it.key}`;
      const appendOnly = APPEND_ONLY_PARTS.has(it.part);
      const old = pending.has(slot)
        ? pending.get(slot)
        : appendOnly
          ? it.old === undefined
            ? undefined
            : this.recordMac(ns, it.part, it.key, it.old)
          : live.get(slot);
      if (old) xorInto(acc, old);
      const m = it.value === undefined ? undefined : this.recordMac(ns, it.part, it.key, it.value);
      if (m) xorInto(acc, m);
      pending.set(slot, m);
      if (!appendOnly) changes.push([slot, m]);
    }
    let namesAcc: Buffer | undefined;
    if (isNew) {
      namesAcc = Buffer.from(names ?? this.namesAcc);
      xorInto(namesAcc, this.nameMac(ns));
    }
    return {
      nsAcc: acc,
      namesAcc,
      commit: () => {
        this.nsAcc.set(ns, acc);
        this.live.set(ns, live);
        for (const [slot, m] of changes) {
          if (m) live.set(slot, m);
          else live.delete(slot);
        }
        if (namesAcc) this.namesAcc = namesAcc;
      },
    };
  }

  /** The names accumulator without `ns`, applied by the returned commit. */
  remove(ns: string): { namesAcc: Buffer; commit(): void } {
    const namesAcc = Buffer.from(this.namesAcc);
    if (this.nsAcc.has(ns)) xorInto(namesAcc, this.nameMac(ns));
    return {
      namesAcc,
      commit: () => {
        this.namesAcc = namesAcc;
        this.nsAcc.delete(ns);
        this.live.delete(ns);
      },
    };
  }
}
