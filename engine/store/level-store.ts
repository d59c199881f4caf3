/**
 * LevelDB persistence (`level`): one sublevel per namespace, and every change set written as one
 * atomic batch together with the namespace's meta record, so a restart resumes exactly: the next
 * event extends the same measurement as if the process had never stopped.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { EngineError } from '../../common/errors.js';
import type { ChangeSet, NamespaceModel, StoredDescription } from '../ns/namespace-model.js';
import {
  descriptionRecord,
  entryRecord,
  type EntryRecord,
  findingRecord,
  type FindingRecord,
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
import { MIGRATIONS, STORE_FORMAT, upgradeStore } from './store-format.js';
import { CoveredSublevel } from './covered-sublevel.js';
import { type MacItem, StoreMac } from './store-mac.js';

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

type Sub = ReturnType<Level<string, unknown>['sublevel']>;
type BatchOp =
  | { type: 'put'; sublevel: Sub; key: string; value: unknown }
  | { type: 'del'; sublevel: Sub; key: string };

const pad = (n: number) => n.toString().padStart(12, '0');

/** A namespace's record sets: points, trajectory, forensics, audit findings, tasks, rejected lines,
 * and the descriptions of points and findings (`d`, from format 6). A new part is added here: the
 * MAC covers every part listed (store-mac.ts says which are append-only). */
const PARTS = ['p', 't', 'f', 'a', 'k', 'r', 'd'] as const;
type Part = (typeof PARTS)[number];
/** What a model replace starts over (tasks keep their trust, rejected lines stay evidence). */
const MODEL_PARTS = ['p', 't', 'f', 'a', 'd'] as const;

/** The `mac` sublevel: `ns:ID` per namespace, and the namespace names under NAMES_KEY. */
interface MacRecord {
  mac: string;
}
const NAMES_KEY = 'names';
const macRecord = (b: Buffer): MacRecord => ({ mac: b.toString('hex') });

/** Every record of a namespace as the MAC sees it: its meta record, then each part's. */
function* macItems(
  meta: unknown,
  id: string,
  parts: ReadonlyMap<string, [string, unknown][]>
): Iterable<MacItem> {
  yield { part: 'meta', key: id, value: meta };
  for (const [part, records] of parts)
    for (const [key, value] of records) yield { part, key, value };
}

export interface StoreOpenOptions {
  /** HMAC key protecting namespace records against offline edits (store-key.ts); none: off. */
  readonly macKey?: Buffer;
}

/** One record of a batch: where it goes (for the MAC: `meta` or the part) and what it holds; a
 * deletion of a replaced model's record carries the value it held (`old`) for the MAC. */
type Op = BatchOp & { readonly part: string; readonly old?: unknown };

export class LevelStore {
  private readonly meta: Sub;
  private readonly macs: Sub;
  private readonly mac: StoreMac | undefined;

  private constructor(
    private readonly db: Level<string, unknown>,
    private readonly dir: string,
    private readonly macKey: Buffer | undefined,
    private readonly log: (m: string) => void,
    /** The `mac` sublevel had records when the store was opened. */
    private readonly protectedAtOpen: boolean
  ) {
    this.meta = db.sublevel('meta', { valueEncoding: 'json' }) as unknown as Sub;
    this.macs = db.sublevel('mac', { valueEncoding: 'json' }) as unknown as Sub;
    this.mac = macKey ? new StoreMac(macKey) : undefined;
  }

  /** Opens the store, migrating an older format first (log says so); refuses a newer one. */
  static async open(
    dir: string,
    log: (m: string) => void = () => undefined,
    opts: StoreOpenOptions = {}
  ): Promise<LevelStore> {
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    try {
      await db.open();
    } catch (err) {
      throw new EngineError(
        'TSEM_STORE',
        `cannot open the data directory ${dir}: ${(err as Error).message}`,
        { cause: err }
      );
    }
    try {
      await upgradeStore(db, dir, log, MIGRATIONS, STORE_FORMAT, { macKey: opts.macKey });
    } catch (err) {
      await db.close();
      throw err;
    }
    const macs = db.sublevel('mac', { valueEncoding: 'json' });
    const protectedAtOpen = (await macs.keys({ limit: 1 }).all()).length > 0;
    return new LevelStore(db, dir, opts.macKey, log, protectedAtOpen);
  }

  private sub(id: string, part: string): Sub {
    return this.db.sublevel(`ns:${id}`).sublevel(part, { valueEncoding: 'json' }) as unknown as Sub;
  }

  /** Writes the namespace's changes since the last drain and its meta, atomically. */
  async persist(ns: NamespaceModel, cs: ChangeSet = ns.drainChanges()): Promise<void> {
    const ops: Op[] = [
      { type: 'put', sublevel: this.meta, key: ns.id, value: metaRecord(ns), part: 'meta' },
    ];
    const subs = new Map<Part, Sub>();
    const sub = (part: Part) => subs.get(part) ?? subs.set(part, this.sub(ns.id, part)).get(part)!;
    const put = (part: Part, key: string, value: unknown) =>
      ops.push({ type: 'put', sublevel: sub(part), key, value, part });
    if (cs.reset) {
      // A replaced model: the old records are deleted in the same batch as the new ones are
      // written (the pipeline runs one batch per namespace at a time: what is read here is all
      // there is). Their values go along so that the MAC can take append-only records out too.
      for (const part of MODEL_PARTS)
        for (const [key, old] of await this.values<unknown>(sub(part)))
          ops.push({ type: 'del', sublevel: sub(part), key, part, old });
    }
    for (const pt of cs.points) put('p', pt.hex, pointRecord(pt));
    cs.trajectory.forEach((e, i) => put('t', pad(cs.trajectoryStart + i), entryRecord(e)));
    cs.forensics.forEach((e, i) => put('f', pad(cs.forensicsStart + i), entryRecord(e)));
    for (const e of cs.audit) put('a', e.coefficient.toString('hex'), findingRecord(e));
    for (const key of cs.removedFindings)
      ops.push({ type: 'del', sublevel: sub('a'), key, part: 'a' });
    // Written once per coefficient (namespace-model.ts keeps it so): an append-only part.
    for (const [key, d] of cs.descriptions) put('d', key, descriptionRecord(d));
    cs.rejected.forEach((e, i) => put('r', pad(cs.rejectedStart + i), rejectedRecord(e)));
    for (const [key, t] of cs.tasks) {
      if (t) put('k', key, taskRecord(t));
      else ops.push({ type: 'del', sublevel: sub('k'), key, part: 'k' });
    }
    // The MAC covers every record of the batch, whatever its part, and is written with them.
    const mac = this.mac?.update(
      ns.id,
      ops.map((o) => ({
        part: o.part,
        key: o.key,
        value: o.type === 'put' ? o.value : undefined,
        ...(o.type === 'del' && o.old !== undefined ? { old: o.old } : {}),
      }))
    );
    if (mac) {
      ops.push({
        type: 'put',
        sublevel: this.macs,
        key: `ns:${ns.id}`,
        value: macRecord(mac.nsAcc),
        part: '',
      });
      if (mac.namesAcc)
        ops.push({
          type: 'put',
          sublevel: this.macs,
          key: NAMES_KEY,
          value: macRecord(mac.namesAcc),
          part: '',
        });
    }
    try {
      await this.db.batch(
        ops.map(({ part: _part, ...op }) => {
          if (op.type === 'del') delete (op as { old?: unknown }).old;
          return op;
        }) as never
      );
    } catch (err) {
      throw new EngineError(
        'TSEM_STORE',
        `namespace ${ns.id}: persisting ${ops.length} records failed: ${(err as Error).message}`,
        { cause: err }
      );
    }
    mac?.commit();
  }

  private async values<T>(s: Sub): Promise<[string, T][]> {
    return await (s as unknown as Level<string, T>).iterator().all();
  }

  /** Restores every namespace exactly as persisted; with a MAC key, refuses records edited offline. */
  async loadAll(): Promise<NamespaceModel[]> {
    const out: NamespaceModel[] = [];
    const stored = new Map(await this.values<MacRecord>(this.macs));
    if (!this.mac && stored.size > 0)
      throw new EngineError(
        'TSEM_STORE',
        `the store in ${this.dir} is protected by a MAC: start the engine with its store key (--store-key)`
      );
    // Collections (covered-sublevel.ts) keep their own `set:` records beside the namespaces'.
    const unprotected =
      this.mac !== undefined &&
      ![...stored.keys()].some((k) => k === NAMES_KEY || k.startsWith('ns:'));
    const adopt: [string, Buffer][] = [];
    for (const [id, meta] of await this.values<MetaRecord>(this.meta)) {
      const parts = new Map<Part, [string, unknown][]>();
      for (const part of PARTS) {
        // Descriptions are read only by the MAC check (their keys tell which points are described).
        if (part === 'd' && !this.mac) {
          const keys = await (this.sub(id, 'd') as unknown as Level<string, unknown>).keys().all();
          parts.set(
            part,
            keys.map((k) => [k, undefined])
          );
        } else parts.set(part, await this.values<unknown>(this.sub(id, part)));
      }
      if (this.mac) {
        const acc = this.mac.load(id, macItems(meta, id, parts));
        const want = stored.get(`ns:${id}`);
        if (unprotected) adopt.push([id, acc]);
        else if (want === undefined || !acc.equals(Buffer.from(want.mac, 'hex')))
          throw new EngineError(
            'TSEM_STORE',
            `namespace ${id} in ${this.dir} was changed outside the engine (its records do not match their MAC): restore the data directory from a trusted copy`
          );
      }
      const list = <T>(part: Part) => (parts.get(part) ?? []) as [string, T][];
      const described = new Set(list<unknown>('d').map(([k]) => k));
      parts.delete('d'); // the values are not kept
      out.push(
        restoreNamespace(
          {
            meta,
            points: list<PointRecord>('p'),
            trajectory: list<EntryRecord>('t').map(([, r]) => r),
            forensics: list<EntryRecord>('f').map(([, r]) => r),
            findings: list<FindingRecord>('a').map(([, r]) => r),
            tasks: list<TaskRecord>('k'),
            rejected: list<RejectedRecord>('r').map(([, v]) => v),
          },
          described
        )
      );
    }
    if (this.mac && !unprotected) {
      const names = stored.get(NAMES_KEY);
      if (names === undefined || !this.mac.names.equals(Buffer.from(names.mac, 'hex')))
        throw new EngineError(
          'TSEM_STORE',
          `a namespace in ${this.dir} was added or deleted outside the engine (the namespace list does not match its MAC): restore the data directory from a trusted copy`
        );
    }
    if (unprotected) {
      // First start with a key: protect what is there (trust on first use), in one batch.
      await this.db.batch([
        ...adopt.map(([id, acc]) => ({
          type: 'put' as const,
          sublevel: this.macs,
          key: `ns:${id}`,
          value: macRecord(acc),
        })),
        {
          type: 'put' as const,
          sublevel: this.macs,
          key: NAMES_KEY,
          value: macRecord(this.mac.names),
        },
      ] as never);
      this.log(`store: ${adopt.length} namespace(s) now protected by the store key`);
    }
    return out;
  }

  /** The stored descriptions of these coefficients (absent ones are left out). */
  async descriptions(
    id: string,
    hexes: readonly string[]
  ): Promise<Map<string, StoredDescription>> {
    const out = new Map<string, StoredDescription>();
    if (hexes.length === 0) return out;
    const sub = this.sub(id, 'd') as unknown as Level<string, StoredDescription>;
    const got = await sub.getMany([...hexes]);
    hexes.forEach((h, i) => {
      const v = got[i];
      if (v !== undefined) out.set(h, v);
    });
    return out;
  }

  /** Every stored description of a namespace, in key order, read as it goes (memory stays small). */
  async *scanDescriptions(id: string): AsyncGenerator<[string, StoredDescription]> {
    const sub = this.sub(id, 'd') as unknown as Level<string, StoredDescription>;
    for await (const entry of sub.iterator()) yield entry;
  }

  /**
   * A JSON sublevel of this database for another persistent part (the IMA logs), so it shares the
   * database and LevelDB's atomic batches. The model's own names (`meta`, `ns:*`) are refused.
   */
  sublevel(name: string): ReturnType<Level<string, unknown>['sublevel']> {
    if (name === 'meta' || name === 'store' || name === 'mac' || name.startsWith('ns:'))
      throw new RangeError(`sublevel '${name}' belongs to the model`);
    return this.db.sublevel(name, { valueEncoding: 'json' }) as unknown as Sub;
  }

  /**
   * A keyed collection of this database whose records the store MAC covers (covered-sublevel.ts),
   * opened and checked against its MAC now. Names as for sublevel().
   */
  async covered<T>(name: string): Promise<CoveredSublevel<T>> {
    return await CoveredSublevel.open<T>({
      name,
      records: this.sublevel(name) as unknown as Level<string, T>,
      macs: this.macs as unknown as Level<string, { mac: string }>,
      root: this.db,
      key: this.macKey,
      protectedAtOpen: this.protectedAtOpen,
      dir: this.dir,
      log: this.log,
    });
  }

  async deleteNamespace(id: string): Promise<void> {
    const gone = this.mac?.remove(id);
    await this.db.batch([
      { type: 'del', sublevel: this.meta, key: id },
      ...(gone
        ? [
            { type: 'del', sublevel: this.macs, key: `ns:${id}` },
            { type: 'put', sublevel: this.macs, key: NAMES_KEY, value: macRecord(gone.namesAcc) },
          ]
        : []),
    ] as never);
    gone?.commit();
    // Records without their meta record are never read again; cleared after the atomic part.
    for (const part of PARTS)
      await (this.sub(id, part) as unknown as Level<string, unknown>).clear();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
