/**
 * LevelDB persistence (`level`): one sublevel per namespace, and every change set written as one
 * atomic batch together with the namespace's meta record, its exporters' applied positions and
 * what the stages add (the IMA log entries of its events), so a restart resumes exactly: the next
 * event extends the same measurement as if the process had never stopped.
 *
 * Batches are written in submission order and grouped while a write is in flight (group-commit.ts);
 * with `sync`, each write is fsync'd, so acknowledged survives power loss. A failed write (disk
 * full, I/O error), the model's or any other part's, leaves the store failed until reopen()
 * (group-commit.ts says why every writer must stop). Corruption is
 * looked for at open: a CRC scan of the write-ahead logs before LevelDB replays them (wal-scan.ts)
 * and, once loaded, the high-water mark of every namespace (high-water.ts); either refuses the
 * start naming what was lost, unless `salvage` is given. With a store key, every record a batch
 * writes (the namespace's parts and the IMA logs) is covered by the MAC written in the same batch
 * (store-mac.ts); salvage never re-authenticates records that do not match it.
 */
import { Level } from 'level';
import { errorMessage } from '../../common/errors.js';
import type { ChangeSet, NamespaceModel, StoredDescription } from '../ns/namespace-model.js';
import type { EntryRecord, MetaRecord } from '../ns/namespace-snapshot.js';
import type { NamespaceStore } from '../ns/registry.js';
import type { StoreOp } from '../ns/stage.js';
import { GroupCommit } from './group-commit.js';
import { HighWater, type Mark } from './high-water.js';
import { CoveredSublevel } from './covered-sublevel.js';
import { MIGRATIONS, STORE_FORMAT, upgradeStore } from './store-format.js';
import {
  checkMacs,
  IMA_SUBLEVEL,
  type MacRecord,
  macOps,
  macRecord,
  NAMES_KEY,
} from './mac-records.js';
import { storeError } from './store-error.js';
import { StoreMac } from './store-mac.js';
import {
  changeOps,
  nsPath,
  pad,
  type Part,
  PARTS,
  type QueuedOp,
  restoreParts,
  type WriteOp,
} from './store-records.js';
import { scanWriteAheadLogs, type WalProblem } from './wal-scan.js';

export interface StoreOptions {
  /** fsync every write (batches are group-committed): acknowledged survives power loss. */
  readonly sync?: boolean;
  /** Start even though corruption was found: keep what the store holds, say what was lost. */
  readonly salvage?: boolean;
  /** HMAC key protecting the records against offline edits (store-key.ts); none: off. */
  readonly macKey?: Buffer;
  readonly log?: (m: string) => void;
}

/** Before format 8 (which added `x` and the IMA logs' MAC) callers passed the key apart. */
export type StoreOpenOptions = Pick<StoreOptions, 'macKey'>;

type Db = Level<string, unknown>;
type Sub = ReturnType<Db['sublevel']>;
type BatchOp =
  | { type: 'put'; sublevel: Sub; key: string; value: unknown }
  | { type: 'del'; sublevel: Sub; key: string };

async function openDb(dir: string): Promise<Db> {
  const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
  try {
    await db.open();
  } catch (err) {
    throw storeError(`cannot open the data directory ${dir}: ${errorMessage(err)}`, err);
  }
  return db;
}

function describeWalProblem(p: WalProblem): string {
  const what = p.kind === 'checksum' ? 'checksum mismatch' : `bad record ${p.kind}`;
  const whose = p.namespaces.length ? ` (records of namespace ${p.namespaces.join(', ')})` : '';
  return `write-ahead log ${p.file} at byte ${p.offset}: ${what}${whose}`;
}

export class LevelStore implements NamespaceStore {
  private readonly queue: GroupCommit<QueuedOp>;
  private readonly subs = new Map<string, Sub>();
  private readonly highWater: HighWater;
  private readonly log: (m: string) => void;
  private readonly mac: StoreMac | undefined;
  /** close() was called: a reopen still under way must not leave a database open behind it. */
  private closing = false;
  private reopening: Promise<void> = Promise.resolve();
  private readonly failureListeners: ((err: Error) => void)[] = [];

  private constructor(
    private db: Db,
    readonly dir: string,
    private readonly opts: StoreOptions,
    private readonly walProblems: readonly WalProblem[],
    /** The `mac` sublevel had records when the store was opened. */
    private readonly protectedAtOpen: boolean
  ) {
    this.log = opts.log ?? (() => undefined);
    this.highWater = new HighWater(dir, opts.sync === true, this.log);
    this.queue = new GroupCommit(
      (ops) => this.write(ops),
      (err) => this.failureListeners.forEach((l) => l(err))
    );
    this.mac = opts.macKey ? new StoreMac(opts.macKey) : undefined;
  }

  /**
   * Opens the store: scans its write-ahead logs, then migrates an older format (log says so);
   * refuses a newer one. The scan's findings are judged by loadAll() with the high-water marks.
   */
  static async open(
    dir: string,
    opts: StoreOptions | ((m: string) => void) = {},
    more: StoreOpenOptions = {}
  ): Promise<LevelStore> {
    const o: StoreOptions = { ...(typeof opts === 'function' ? { log: opts } : opts), ...more };
    const walProblems = scanWriteAheadLogs(dir);
    const damaged = walProblems.filter((p) => p.kind !== 'torn-tail');
    // Refused before LevelDB opens: its recovery would drop the damaged records for good.
    if (damaged.length > 0 && !o.salvage)
      throw storeError(
        `the store in ${dir} lost acknowledged data: ${damaged.map(describeWalProblem).join('; ')}. Restore it from a backup, or start with --salvage to go on with what it holds`
      );
    const db = await openDb(dir);
    try {
      await upgradeStore(db, dir, o.log, MIGRATIONS, STORE_FORMAT, { dir, macKey: o.macKey });
      const macs = db.sublevel('mac', { valueEncoding: 'json' });
      const protectedAtOpen = (await macs.keys({ limit: 1 }).all()).length > 0;
      return new LevelStore(db, dir, o, walProblems, protectedAtOpen);
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  /** Calls `listener` when a write fails, the model's or another part's (store recovery). */
  onFailure(listener: (err: Error) => void): void {
    this.failureListeners.push(listener);
  }

  /** Why writes fail now (a failed write, until reopen()). */
  get failure(): Error | undefined {
    return this.queue.failure;
  }

  private sub(path: readonly string[]): Sub {
    const key = path.join('\0');
    let s = this.subs.get(key);
    if (!s) {
      let level: Sub = this.db as unknown as Sub;
      path.forEach((name, i) => {
        level = (level as unknown as Db).sublevel(
          name,
          i === path.length - 1 ? { valueEncoding: 'json' } : {}
        ) as unknown as Sub;
      });
      this.subs.set(key, (s = level));
    }
    return s;
  }

  /** The full key prefix of a sublevel path ('' for the root): `!ns:a!!p!` for ['ns:a', 'p']. */
  private prefixOf(path: readonly string[]): string {
    return path.length === 0 ? '' : (this.sub(path) as unknown as { prefix: string }).prefix;
  }

  /** `clear` ops as deletions of what the part holds at this point of the batch. */
  private async expand(queued: readonly QueuedOp[]): Promise<WriteOp[]> {
    if (!queued.some((op) => op.type === 'clear')) return queued as WriteOp[];
    const out: WriteOp[] = [];
    for (const op of queued) {
      if (op.type !== 'clear') {
        out.push(op);
        continue;
      }
      const now = new Map(await this.values<unknown>(op.path));
      const same = (p: readonly string[]) => p.join('\0') === op.path.join('\0');
      for (const e of out)
        if (same(e.path)) {
          if (e.type === 'put') now.set(e.key, e.value);
          else now.delete(e.key);
        }
      for (const [key, old] of now) out.push({ type: 'del', path: op.path, key, old });
    }
    return out;
  }

  private async write(queued: QueuedOp[]): Promise<void> {
    const records = await this.expand(queued);
    const mac = macOps(this.mac, records);
    const ops = [...records, ...mac.ops];
    try {
      // Hand-written on the store's hot path: a chained batch on the root database with each key's
      // full sublevel prefix, the bytes the sublevels' own batch would write (level-store tests).
      // The array form clones every operation with a double object spread, which V8 runs on a slow
      // path: measured 120 → 71 µs of CPU for a first-seen event's 4 records.
      const batch = this.db.batch();
      try {
        for (const op of ops) {
          const key = this.prefixOf(op.path) + op.key;
          if (op.type === 'put') batch.put(key, op.value);
          else batch.del(key);
        }
      } catch (err) {
        await batch.close();
        throw err;
      }
      await batch.write({ sync: this.opts.sync === true });
    } catch (err) {
      throw storeError(
        `writing ${ops.length} records to ${this.dir} failed: ${errorMessage(err)}`,
        err
      );
    }
    mac.commit();
  }

  /**
   * Writes the namespace's changes since the last drain, its meta and `extra` (what the stages
   * add) in one atomic batch; resolves once written. `committed` runs right after the write.
   */
  persist(
    ns: NamespaceModel,
    cs: ChangeSet = ns.drainChanges(),
    extra: readonly StoreOp[] = [],
    committed?: () => void
  ): Promise<void> {
    const mark: Mark = { events: ns.eventCount, measurement: ns.measurement.toString('hex') };
    return this.queue.submit([...changeOps(ns, cs), ...extra], () => {
      this.highWater.update(ns.id, mark);
      committed?.();
    });
  }

  /** Writes other parts' records (the IMA log store) through the same ordered queue. */
  writeOps(ops: readonly StoreOp[]): Promise<void> {
    return this.queue.submit(ops);
  }

  /**
   * A write by another part of this database (alerts, the IMA configuration, covered
   * collections), in the queue's order and alone: after a failed write LevelDB would acknowledge
   * the next one and lose it on reopen (a torn log record), so one failure stops every writer
   * until reopen() (group-commit.ts).
   */
  serialWrite(job: () => Promise<void>): Promise<void> {
    return this.queue.run(job);
  }

  /** Resolves once every queued write has settled. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async values<T>(path: readonly string[]): Promise<[string, T][]> {
    return await (this.sub(path) as unknown as Level<string, T>).iterator().all();
  }

  private async parts(id: string): Promise<Map<Part, [string, unknown][]>> {
    const parts = new Map<Part, [string, unknown][]>();
    for (const part of PARTS) {
      // Descriptions are read only by the MAC check (their keys tell which points are described).
      if (part === 'd' && !this.mac) {
        const keys = await (this.sub(nsPath(id, 'd')) as unknown as Level<string, unknown>)
          .keys()
          .all();
        parts.set(
          part,
          keys.map((k) => [k, undefined])
        );
      } else parts.set(part, await this.values<unknown>(nsPath(id, part)));
    }
    return parts;
  }

  private async load(id: string, meta: MetaRecord): Promise<NamespaceModel> {
    return restoreParts(meta, await this.parts(id));
  }

  /** One namespace as the store holds it now, or undefined when it holds none. */
  async loadNamespace(id: string): Promise<NamespaceModel | undefined> {
    const meta = await (this.sub(['meta']) as unknown as Level<string, MetaRecord>).get(id);
    return meta === undefined ? undefined : this.load(id, meta);
  }

  /**
   * Restores every namespace exactly as persisted, after checking nothing acknowledged was lost:
   * the write-ahead logs' checksums and each namespace's high-water mark. A loss refuses the start
   * (TSEM_STORE naming the namespaces) unless the store was opened to salvage.
   */
  async loadAll(): Promise<NamespaceModel[]> {
    const out: NamespaceModel[] = [];
    const damaged: string[] = [];
    const macs = checkMacs({
      mac: this.mac,
      stored: new Map(await this.values<MacRecord>(['mac'])),
      dir: this.dir,
      imaRecords: () => this.values<unknown>([IMA_SUBLEVEL]),
      write: (ops) => this.writeOps(ops),
      log: this.log,
    });
    for (const [id, meta] of await this.values<MetaRecord>(['meta'])) {
      const parts = await this.parts(id);
      macs.namespace(id, meta, parts);
      try {
        out.push(restoreParts(meta, parts));
      } catch (err) {
        damaged.push(`namespace ${id}: ${errorMessage(err)}`);
      }
    }
    await macs.finish();
    const problems = [
      ...this.walProblems.filter((p) => p.kind !== 'torn-tail').map(describeWalProblem),
      ...damaged,
      ...this.highWater.compare(
        out.map((ns) => ({
          id: ns.id,
          events: ns.eventCount,
          measurement: ns.measurement.toString('hex'),
        }))
      ),
    ];
    for (const p of this.walProblems.filter((p) => p.kind === 'torn-tail'))
      this.log(`store: ${p.file}: the last write was cut short by a crash (never acknowledged)`);
    if (problems.length > 0) {
      if (!this.opts.salvage)
        throw storeError(
          `the store in ${this.dir} lost acknowledged data: ${problems.join('; ')}. Restore it from a backup, or start with --salvage to go on with what it holds`
        );
      for (const p of problems) this.log(`store: salvage: ${p}`);
      this.log(
        `store: salvage: going on with what the store holds (${out.length} namespace(s)); lost events are not replayed`
      );
    }
    await this.highWater.reset(
      new Map(
        out.map((ns) => [
          ns.id,
          { events: ns.eventCount, measurement: ns.measurement.toString('hex') },
        ])
      )
    );
    return out;
  }

  /** The stored descriptions of these coefficients (absent ones are left out). */
  async descriptions(
    id: string,
    hexes: readonly string[]
  ): Promise<Map<string, StoredDescription>> {
    const out = new Map<string, StoredDescription>();
    if (hexes.length === 0) return out;
    // A description drained from the model is in no store read until its batch is written.
    await this.queue.settled();
    const sub = this.sub(nsPath(id, 'd')) as unknown as Level<string, StoredDescription>;
    const got = await sub.getMany([...hexes]);
    hexes.forEach((h, i) => {
      const v = got[i];
      if (v !== undefined) out.set(h, v);
    });
    return out;
  }

  /**
   * Trajectory ('t') or forensics ('f') records at these indices, index for index (undefined where
   * the store holds none): the lines a model no longer holds in memory (entry-lines.ts).
   */
  async entryRecords(
    id: string,
    part: 't' | 'f',
    indices: readonly number[]
  ): Promise<(EntryRecord | undefined)[]> {
    if (indices.length === 0) return [];
    const sub = this.sub(nsPath(id, part)) as unknown as Level<string, EntryRecord>;
    return await sub.getMany(indices.map(pad));
  }

  /** Every stored description of a namespace, in key order, read as it goes (memory stays small). */
  async *scanDescriptions(id: string): AsyncGenerator<[string, StoredDescription]> {
    await this.queue.settled();
    const sub = this.sub(nsPath(id, 'd')) as unknown as Level<string, StoredDescription>;
    for await (const entry of sub.iterator()) yield entry;
  }

  /**
   * A keyed collection of this database whose records the store MAC covers (covered-sublevel.ts),
   * opened and checked against its MAC now. Names as for sublevel(). Its writes are its own
   * batches, apart from the model's queue (nothing it holds goes with a namespace's batch).
   */
  async covered<T>(name: string): Promise<CoveredSublevel<T>> {
    // Getters: reopen() (after a failed write) replaces the database under the collection.
    const sub = <V>(path: string[]) => this.sub(path) as unknown as Level<string, V>;
    const db = () => this.db;
    this.sublevel(name); // refuses the model's own names
    return await CoveredSublevel.open<T>({
      name,
      get records() {
        return sub<T>([name]);
      },
      get macs() {
        return sub<MacRecord>(['mac']);
      },
      get root() {
        return db();
      },
      key: this.opts.macKey,
      protectedAtOpen: this.protectedAtOpen,
      dir: this.dir,
      log: this.log,
      serialWrite: (job) => this.serialWrite(job),
    });
  }

  /**
   * A JSON sublevel of this database for another persistent part (the IMA logs), so it shares the
   * database and LevelDB's atomic batches. The model's own names (`meta`, `ns:*`) are refused.
   */
  sublevel(name: string): Sub {
    if (name === 'meta' || name === 'store' || name === 'mac' || name.startsWith('ns:'))
      throw new RangeError(`sublevel '${name}' belongs to the model`);
    return this.sub([name]);
  }

  async deleteNamespace(id: string): Promise<void> {
    if (this.failure) throw storeError(`cannot delete namespace ${id}: ${this.failure.message}`);
    // In the queue's turn, alone (serialWrite): no other write goes out while this one runs.
    await this.queue.run(async () => {
      // The mark goes first: a crash between leaves a namespace nobody vouches for, never a false alarm.
      await this.highWater.remove(id);
      const gone = this.mac?.remove(id);
      const batch: BatchOp[] = [{ type: 'del', sublevel: this.sub(['meta']), key: id }];
      if (gone)
        batch.push(
          { type: 'del', sublevel: this.sub(['mac']), key: `ns:${id}` },
          {
            type: 'put',
            sublevel: this.sub(['mac']),
            key: NAMES_KEY,
            value: macRecord(gone.namesAcc),
          }
        );
      await this.db.batch(batch as never, { sync: this.opts.sync === true });
      gone?.commit();
      // Records without their meta record are never read again; cleared after the atomic part.
      for (const part of PARTS)
        await (this.sub(nsPath(id, part)) as unknown as Level<string, unknown>).clear();
    });
  }

  /**
   * After a failed write: closes and reopens the database (a new log, the torn one read up to its
   * tear) and lets writes go on. Rejects, leaving the store failed, while it cannot reopen.
   */
  reopen(): Promise<void> {
    const run = this.reopenNow();
    this.reopening = run.catch(() => undefined);
    return run;
  }

  private async reopenNow(): Promise<void> {
    await this.queue.idle();
    if (this.closing) throw storeError(`the store in ${this.dir} is closed`);
    await this.db.close().catch(() => undefined);
    this.subs.clear();
    const db = await openDb(this.dir);
    if (this.closing) {
      await db.close();
      throw storeError(`the store in ${this.dir} is closed`);
    }
    this.db = db;
    this.queue.reset();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.reopening;
    await this.queue.idle();
    await this.highWater.flush();
    await this.db.close();
  }
}
