/**
 * A keyed collection in its own sublevel whose records the store MAC covers (docs/security.md §7),
 * for parts of the store that are not a namespace's (the labelled models). The accumulator is the
 * XOR of HMAC-SHA256(key, "collection" NUL name NUL key NUL value-JSON) over every record, kept in
 * the `mac` sublevel as `set:NAME` and written in the same atomic batch as the record it covers:
 * an edited, added or removed record is refused when the collection is opened. Without a store
 * key nothing is computed, as for namespaces.
 */
import { createHmac } from 'node:crypto';
import type { Level } from 'level';
import { EngineError } from '../../common/errors.js';
import { xorInto } from './store-mac.js';

type Db<T> = Level<string, T>;

interface MacRecord {
  mac: string;
}

/** What LevelStore hands a collection: its sublevel, the `mac` sublevel and the key. */
export interface CoveredParts<T> {
  readonly name: string;
  readonly records: Db<T>;
  readonly macs: Db<MacRecord>;
  readonly root: Db<unknown>;
  readonly key: Buffer | undefined;
  /** The store had MAC records when it was opened (else a first start with a key adopts). */
  readonly protectedAtOpen: boolean;
  readonly dir: string;
  readonly log: (m: string) => void;
  /** Runs a write in the store's queue (LevelStore.serialWrite). */
  readonly serialWrite: (job: () => Promise<void>) => Promise<void>;
}

export class CoveredSublevel<T> {
  private acc = Buffer.alloc(32);
  private readonly macKey: string;
  /** Writes one at a time: each batch's accumulator starts from the previous one's. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly p: CoveredParts<T>) {
    this.macKey = `set:${p.name}`;
  }

  /** Opens the collection; with a key, refuses records changed outside the engine. */
  static async open<T>(p: CoveredParts<T>): Promise<CoveredSublevel<T>> {
    const c = new CoveredSublevel(p);
    await c.verify();
    return c;
  }

  private recordMac(key: string, value: unknown): Buffer {
    return createHmac('sha256', this.p.key!)
      .update(`collection\0${this.p.name}\0${key}\0${JSON.stringify(value)}`)
      .digest();
  }

  private async verify(): Promise<void> {
    const stored = await this.p.macs.get(this.macKey);
    if (!this.p.key) {
      if (stored !== undefined)
        throw new EngineError(
          'TSEM_STORE',
          `the store in ${this.p.dir} is protected by a MAC: start the engine with its store key (--store-key)`
        );
      return;
    }
    let count = 0;
    for await (const [k, v] of this.p.records.iterator()) {
      xorInto(this.acc, this.recordMac(k, v));
      count++;
    }
    // No record yet: an empty collection (a store migrated to this format), or a store used
    // without a key until now (trust on first use, as for namespaces).
    if (stored === undefined && (count === 0 || !this.p.protectedAtOpen)) {
      if (count > 0) {
        const mac = { mac: this.acc.toString('hex') };
        await this.p.serialWrite(() => this.p.macs.put(this.macKey, mac));
        this.p.log(`store: ${count} ${this.p.name} record(s) now protected by the store key`);
      }
      return;
    }
    if (stored === undefined || !this.acc.equals(Buffer.from(stored.mac, 'hex')))
      throw new EngineError(
        'TSEM_STORE',
        `the ${this.p.name} in ${this.p.dir} were changed outside the engine (their records do not match their MAC): restore the data directory from a trusted copy`
      );
  }

  async get(key: string): Promise<T | undefined> {
    return await this.p.records.get(key);
  }

  async *values(): AsyncIterable<T> {
    for await (const v of this.p.records.values()) yield v;
  }

  /** Puts (value) or deletes (undefined) one record and its MAC in one atomic batch. */
  write(key: string, value: T | undefined): Promise<void> {
    const run = this.queue.then(() => this.p.serialWrite(() => this.writeNow(key, value)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeNow(key: string, value: T | undefined): Promise<void> {
    const { records, macs, root } = this.p;
    const op =
      value === undefined
        ? { type: 'del' as const, sublevel: records, key }
        : { type: 'put' as const, sublevel: records, key, value };
    if (!this.p.key) {
      await root.batch([op] as never);
      return;
    }
    const next = Buffer.from(this.acc);
    const old = await records.get(key);
    if (old !== undefined) xorInto(next, this.recordMac(key, old));
    if (value !== undefined) xorInto(next, this.recordMac(key, value));
    await root.batch([
      op,
      { type: 'put', sublevel: macs, key: this.macKey, value: { mac: next.toString('hex') } },
    ] as never);
    this.acc = next;
  }
}
