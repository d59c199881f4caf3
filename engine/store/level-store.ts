/**
 * LevelDB persistence (`level`): one sublevel per namespace, and every change set written as one
 * atomic batch together with the namespace's meta record, its exporters' applied positions and
 * what the stages add (the IMA log entries of its events), so a restart resumes exactly: the next
 * event extends the same measurement as if the process had never stopped.
 *
 * Batches are written in submission order and grouped while a write is in flight (group-commit.ts);
 * with `sync`, each write is fsync'd, so acknowledged survives power loss. A failed write (disk
 * full, I/O error) leaves the store failed until reopen(): LevelDB's error is sticky. Corruption is
 * looked for at open: a CRC scan of the write-ahead logs before LevelDB replays them (wal-scan.ts)
 * and, once loaded, the high-water mark of every namespace (high-water.ts); either refuses the
 * start naming what was lost, unless `salvage` is given. With a store key, every record a batch
 * writes (the namespace's parts and the IMA logs) is covered by the MAC written in the same batch
 * (store-mac.ts); salvage never re-authenticates records that do not match it.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { EngineError, errorMessage } from '../../common/errors.js';
import type {
  ChangeSet,
  EventEntry,
  NamespaceModel,
  StoredDescription,
} from '../ns/namespace-model.js';
import {
  descriptionRecord,
  entryRecord,
  type EntryRecord,
  findingRecord,
  type FindingRecord,
  ledgerRecord,
  type LedgerRecord,
  metaRecord,
  type MetaRecord,
  pointRecord,
  type PointRecord,
  rejectedRecord,
  type RejectedRecord,
  restoreNamespace,
  taskRecord,
  type TaskRecord,
} from '../ns/namespace-snapshot.js';
import type { NamespaceStore } from '../ns/registry.js';
import type { StoreOp } from '../ns/stage.js';
import { GroupCommit } from './group-commit.js';
import { HighWater, type Mark } from './high-water.js';
import { CoveredSublevel } from './covered-sublevel.js';
import { MIGRATIONS, STORE_FORMAT, upgradeStore } from './store-format.js';
import { type MacItem, StoreMac } from './store-mac.js';
import { scanWriteAheadLogs, type WalProblem } from './wal-scan.js';

/** Where a root daemon keeps its data (systemd's StateDirectory=tsem). */
export const ROOT_DATA_DIR = '/var/lib/tsem';

/** The per-user data directory: $XDG_DATA_HOME/tsem, else ~/.local/share/tsem. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_DATA_HOME'] ?? join(env['HOME'] ?? homedir(), '.local', 'share'), 'tsem');
}

/**
 * Default data directory: $TSEM_DATA_DIR, else /var/lib/tsem for root, else the per-user one.
 * `uid` is a test seam.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? -1
): string {
  if (env['TSEM_DATA_DIR']) return env['TSEM_DATA_DIR'];
  return uid === 0 ? ROOT_DATA_DIR : userDataDir(env);
}

/**
 * Where a client looks for the server's admin token, in order: the default data directory, then
 * (for root) the per-user one that root daemons used before /var/lib/tsem became their default.
 */
export function dataDirCandidates(
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? -1
): string[] {
  const first = defaultDataDir(env, uid);
  const legacy = userDataDir(env);
  return first === legacy || env['TSEM_DATA_DIR'] ? [first] : [first, legacy];
}

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

/**
 * A namespace's parts: points, trajectory, forensics, findings (audit), tasks, rejected lines,
 * descriptions of points and findings (`d`, from format 7), exporters' applied positions (`x`,
 * from format 8). A new part is added here: the MAC covers every part listed (store-mac.ts says
 * which are append-only).
 */
const PARTS = ['p', 't', 'f', 'a', 'k', 'r', 'd', 'x'] as const;
type Part = (typeof PARTS)[number];
/** What a model replace starts over (tasks keep their trust, rejected lines stay evidence). */
const MODEL_PARTS = ['p', 't', 'f', 'a', 'd'] as const;

/**
 * What the write queue holds: records, and `clear` (a replaced model's part, deleted at the write,
 * where writes are serial, with each record's old value for the MAC of append-only parts).
 */
type QueuedOp = StoreOp | { readonly type: 'clear'; readonly path: readonly string[] };
type WriteOp = StoreOp & { readonly old?: unknown };

const pad = (n: number) => n.toString().padStart(12, '0');
const nsPath = (id: string, part: Part) => [`ns:${id}`, part];

/** The `mac` sublevel: `ns:ID` per namespace, IMA_MAC_KEY for the IMA logs, NAMES_KEY for the list. */
interface MacRecord {
  mac: string;
}
const NAMES_KEY = 'names';
const IMA_MAC_KEY = 'ima';
/** The IMA logs' accumulator id in StoreMac: no namespace name holds a NUL (registry.ts). */
const IMA_MAC_ID = '\0ima';
const IMA_SUBLEVEL = 'ima';
const macRecord = (b: Buffer): MacRecord => ({ mac: b.toString('hex') });
const macKeyOf = (id: string) => (id === IMA_MAC_ID ? IMA_MAC_KEY : `ns:${id}`);

/**
 * Whose MAC covers a record, and as which part: a namespace's meta record and parts, or the IMA
 * logs; undefined for records no MAC covers (alerts, IMA configuration, the MACs themselves).
 */
function macTarget(op: StoreOp): { id: string; part: string } | undefined {
  const [first, second] = op.path;
  if (op.path.length === 1 && first === 'meta') return { id: op.key, part: 'meta' };
  if (op.path.length === 1 && first === IMA_SUBLEVEL) return { id: IMA_MAC_ID, part: 'ima' };
  if (op.path.length === 2 && first?.startsWith('ns:') && second !== undefined)
    return { id: first.slice(3), part: second };
  return undefined;
}

function storeError(message: string, cause?: unknown): EngineError {
  return new EngineError('TSEM_STORE', message, cause === undefined ? undefined : { cause });
}

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
    this.queue = new GroupCommit((ops) => this.write(ops));
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

  /**
   * The MAC records for `ops` (every accumulator they touch, updated in order), and how to apply
   * them once written. Computed here, where writes are serial, so accumulators never race.
   */
  private macOps(ops: readonly WriteOp[]): { ops: StoreOp[]; commit(): void } {
    if (!this.mac) return { ops: [], commit: () => undefined };
    const byId = new Map<string, MacItem[]>();
    for (const op of ops) {
      const t = macTarget(op);
      if (!t) continue;
      let items = byId.get(t.id);
      if (!items) byId.set(t.id, (items = []));
      items.push({
        part: t.part,
        key: op.key,
        value: op.type === 'put' ? op.value : undefined,
        ...(op.type === 'del' && op.old !== undefined ? { old: op.old } : {}),
      });
    }
    const out: StoreOp[] = [];
    const commits: (() => void)[] = [];
    let names: Buffer | undefined;
    for (const [id, items] of byId) {
      const w = this.mac.update(id, items, names);
      out.push({ type: 'put', path: ['mac'], key: macKeyOf(id), value: macRecord(w.nsAcc) });
      if (w.namesAcc) names = w.namesAcc;
      commits.push(() => w.commit());
    }
    if (names) out.push({ type: 'put', path: ['mac'], key: NAMES_KEY, value: macRecord(names) });
    return { ops: out, commit: () => commits.forEach((c) => c()) };
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
    const mac = this.macOps(records);
    const ops = [...records, ...mac.ops];
    const batch: BatchOp[] = ops.map((op) =>
      op.type === 'put'
        ? { type: 'put', sublevel: this.sub(op.path), key: op.key, value: op.value }
        : { type: 'del', sublevel: this.sub(op.path), key: op.key }
    );
    try {
      await this.db.batch(batch as never, { sync: this.opts.sync === true });
    } catch (err) {
      throw storeError(
        `writing ${ops.length} records to ${this.dir} failed: ${errorMessage(err)}`,
        err
      );
    }
    mac.commit();
  }

  /** The records of a namespace's changes since the last drain, with its meta and exporters. */
  changeOps(ns: NamespaceModel, cs: ChangeSet): QueuedOp[] {
    const ops: QueuedOp[] = [{ type: 'put', path: ['meta'], key: ns.id, value: metaRecord(ns) }];
    // A replaced model: its old records go in the same batch as the new ones are written.
    if (cs.reset)
      for (const part of MODEL_PARTS) ops.push({ type: 'clear', path: nsPath(ns.id, part) });
    for (const pt of cs.points)
      ops.push({ type: 'put', path: nsPath(ns.id, 'p'), key: pt.hex, value: pointRecord(pt) });
    const entries = (part: 't' | 'f', list: readonly EventEntry[], start: number) =>
      list.forEach((e, i) =>
        ops.push({
          type: 'put',
          path: nsPath(ns.id, part),
          key: pad(start + i),
          value: entryRecord(e),
        })
      );
    entries('t', cs.trajectory, cs.trajectoryStart);
    entries('f', cs.forensics, cs.forensicsStart);
    for (const e of cs.audit)
      ops.push({
        type: 'put',
        path: nsPath(ns.id, 'a'),
        key: e.coefficient.toString('hex'),
        value: findingRecord(e),
      });
    for (const key of cs.removedFindings) ops.push({ type: 'del', path: nsPath(ns.id, 'a'), key });
    // Written once per coefficient (namespace-model.ts keeps it so): an append-only part.
    for (const [key, d] of cs.descriptions)
      ops.push({ type: 'put', path: nsPath(ns.id, 'd'), key, value: descriptionRecord(d) });
    for (const [key, t] of cs.tasks)
      ops.push(
        t
          ? { type: 'put', path: nsPath(ns.id, 'k'), key, value: taskRecord(t) }
          : { type: 'del', path: nsPath(ns.id, 'k'), key }
      );
    cs.rejected.forEach((e, i) =>
      ops.push({
        type: 'put',
        path: nsPath(ns.id, 'r'),
        key: pad(cs.rejectedStart + i),
        value: rejectedRecord(e),
      })
    );
    for (const [key, e] of cs.ingest)
      ops.push(
        e
          ? { type: 'put', path: nsPath(ns.id, 'x'), key, value: ledgerRecord(e) }
          : { type: 'del', path: nsPath(ns.id, 'x'), key }
      );
    return ops;
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
    return this.queue.submit([...this.changeOps(ns, cs), ...extra], () => {
      this.highWater.update(ns.id, mark);
      committed?.();
    });
  }

  /** Writes other parts' records (the IMA log store) through the same ordered queue. */
  writeOps(ops: readonly StoreOp[]): Promise<void> {
    return this.queue.submit(ops);
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

  private static restore(
    meta: MetaRecord,
    parts: ReadonlyMap<Part, [string, unknown][]>
  ): NamespaceModel {
    const list = <T>(part: Part) => (parts.get(part) ?? []) as [string, T][];
    return restoreNamespace(
      {
        meta,
        points: list<PointRecord>('p'),
        trajectory: list<EntryRecord>('t').map(([, r]) => r),
        forensics: list<EntryRecord>('f').map(([, r]) => r),
        findings: list<FindingRecord>('a').map(([, r]) => r),
        tasks: list<TaskRecord>('k'),
        rejected: list<RejectedRecord>('r').map(([, v]) => v),
        ingest: list<LedgerRecord>('x').map(([, r]) => r),
      },
      new Set(list<unknown>('d').map(([k]) => k))
    );
  }

  private async load(id: string, meta: MetaRecord): Promise<NamespaceModel> {
    return LevelStore.restore(meta, await this.parts(id));
  }

  /**
   * The MAC check of loadAll(): each namespace's records, then the IMA logs and the namespace
   * list. A mismatch refuses the start, salvage or not: it means records edited outside the engine.
   */
  private async checkMacs(): Promise<{
    namespace(id: string, meta: MetaRecord, parts: ReadonlyMap<Part, [string, unknown][]>): void;
    finish(): Promise<void>;
  }> {
    const mac = this.mac;
    const stored = new Map(await this.values<MacRecord>(['mac']));
    if (!mac) {
      if (stored.size > 0)
        throw storeError(
          `the store in ${this.dir} is protected by a MAC: start the engine with its store key (--store-key)`
        );
      return { namespace: () => undefined, finish: () => Promise.resolve() };
    }
    const edited = (what: string) =>
      storeError(
        `${what} in ${this.dir} was changed outside the engine (its records do not match their MAC): restore the data directory from a trusted copy`
      );
    const namesEdited = () =>
      storeError(
        `a namespace in ${this.dir} was added or deleted outside the engine (the namespace list does not match its MAC): restore the data directory from a trusted copy`
      );
    // Collections (covered-sublevel.ts) keep their own `set:` records beside these.
    const unprotected = ![...stored.keys()].some(
      (k) => k === NAMES_KEY || k === IMA_MAC_KEY || k.startsWith('ns:')
    );
    const adopt: [string, Buffer][] = [];
    const matches = (key: string, acc: Buffer) => {
      const want = stored.get(key);
      return want !== undefined && acc.equals(Buffer.from(want.mac, 'hex'));
    };
    return {
      namespace: (id, meta, parts) => {
        const items: MacItem[] = [{ part: 'meta', key: id, value: meta }];
        for (const [part, records] of parts)
          for (const [key, value] of records) items.push({ part, key, value });
        const acc = mac.load(id, items);
        if (unprotected) adopt.push([`ns:${id}`, acc]);
        else if (!matches(`ns:${id}`, acc)) throw edited(`namespace ${id}`);
      },
      finish: async () => {
        // Stores of format 7 and before kept the IMA logs outside the MAC: they are adopted once,
        // and only while the namespace list says they never had one (so its record cannot be
        // stripped to have edited entries adopted).
        const imaUnprotected = unprotected || !stored.has(IMA_MAC_KEY);
        const namesOk = () => matches(NAMES_KEY, mac.names);
        if (!unprotected && imaUnprotected && !namesOk()) throw namesEdited();
        const ima = await this.values<unknown>([IMA_SUBLEVEL]);
        const imaAcc = mac.load(
          IMA_MAC_ID,
          ima.map(([key, value]) => ({ part: 'ima', key, value }))
        );
        if (imaUnprotected) adopt.push([IMA_MAC_KEY, imaAcc]);
        else {
          if (!matches(IMA_MAC_KEY, imaAcc)) throw edited('the IMA log');
          if (!namesOk()) throw namesEdited();
        }
        if (adopt.length === 0) return;
        // First start with a key (or with format 8): protect what is there, in one batch.
        await this.writeOps([
          ...adopt.map(([key, acc]): StoreOp => ({
            type: 'put',
            path: ['mac'],
            key,
            value: macRecord(acc),
          })),
          { type: 'put', path: ['mac'], key: NAMES_KEY, value: macRecord(mac.names) },
        ]);
        if (unprotected)
          this.log(`store: ${adopt.length - 1} namespace(s) now protected by the store key`);
        else this.log('store: the IMA logs are now protected by the store key');
      },
    };
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
    const macs = await this.checkMacs();
    for (const [id, meta] of await this.values<MetaRecord>(['meta'])) {
      const parts = await this.parts(id);
      macs.namespace(id, meta, parts);
      try {
        out.push(LevelStore.restore(meta, parts));
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
    this.highWater.reset(
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
    const sub = this.sub(nsPath(id, 'd')) as unknown as Level<string, StoredDescription>;
    const got = await sub.getMany([...hexes]);
    hexes.forEach((h, i) => {
      const v = got[i];
      if (v !== undefined) out.set(h, v);
    });
    return out;
  }

  /** Every stored description of a namespace, in key order, read as it goes (memory stays small). */
  async *scanDescriptions(id: string): AsyncGenerator<[string, StoredDescription]> {
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
    await this.queue.idle();
    if (this.failure) throw storeError(`cannot delete namespace ${id}: ${this.failure.message}`);
    // The mark goes first: a crash between leaves a namespace nobody vouches for, never a false alarm.
    this.highWater.remove(id);
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
  }

  /**
   * After a failed write: closes and reopens the database (LevelDB keeps a failed write's error
   * for good) and lets writes go on. Rejects, leaving the store failed, while it cannot reopen.
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
    this.highWater.flush();
    await this.db.close();
  }
}
