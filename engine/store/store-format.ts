/**
 * The store's format version and the migrations between versions (conventions: a newer engine
 * migrates an older store at start; a store written by a newer engine is refused). The version is
 * one record, `format` in the `store` sublevel; stores written before it existed (release 0.1.0)
 * have none and are version 1.
 *
 * To change the format: add a migration here from the current version to the next, raise
 * STORE_FORMAT, and add a fixture test that opens a store of the previous release.
 */
import type { Level } from 'level';
import { EngineError } from '../../common/errors.js';
import { describePoints } from './migrate-descriptions.js';
import { StoreMac } from './store-mac.js';

/** The format this engine writes. */
export const STORE_FORMAT = 8;

/** A store with data but no format record was written by release 0.1.0. */
const UNVERSIONED = 1;

export type StoreDb = Level<string, unknown>;

export interface MigrationContext {
  readonly dir: string;
  /** The store key, when the engine has one: a rewrite keeps the MACs of what it rewrites. */
  readonly macKey?: Buffer;
}

export interface Migration {
  /** Migrates a store of version `from` to `from + 1`. */
  readonly from: number;
  /** One line for the start-up log. */
  readonly describe: string;
  /** Rewrites what changed; the new version is written after it returns. */
  run(db: StoreDb, ctx: MigrationContext): Promise<void>;
}

/** In order: each takes version `from` to `from + 1`. */
export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    describe: 'record the store format version (the 0.1.0 layout is otherwise unchanged)',
    run: () => Promise.resolve(),
  },
  {
    from: 2,
    describe:
      'add the alert log (`alerts`: incidents, log records, output cursors) and what made each task untrusted (task records gain `u`); existing records are unchanged',
    run: () => Promise.resolve(),
  },
  {
    // Nothing to rewrite: a format-3 store has no `ima-config` sublevel, and every namespace keeps
    // the server's IMA policy and keys. The version is raised so that an engine which does not
    // know per-namespace IMA configuration refuses this store instead of silently ignoring it.
    from: 3,
    describe:
      'per-namespace IMA policies and keyrings (new ima-config sublevel; existing records unchanged)',
    run: () => Promise.resolve(),
  },
  {
    from: 4,
    // Additive: older engines must refuse it (they would write records without updating the MAC).
    describe:
      'namespaces may carry a MAC (store key), rejected-line evidence and task start times; task keys gain the event origin (nothing rewritten: old pid-only keys age out)',
    run: () => Promise.resolve(),
  },
  {
    from: 5,
    describe: 'add the labelled-model store (sublevel `labels`, empty at first)',
    run: () => Promise.resolve(),
  },
  describePoints,
  {
    from: 7,
    describe:
      "number the tasks in their eviction order (format 7 restored them in key order, which this keeps); exporters' applied positions (`x`) and the IMA logs join the MAC",
    run: numberTasks,
  },
];

/**
 * Format 8 keeps the task table's eviction order in each task record (`o`); format 7 had none and
 * restored tasks in key order, so that order is what the numbers record: a migrated store
 * resumes as format 7 would have, and from then on exactly. With a MAC, each namespace's
 * accumulator takes out the old records and takes in the new ones in the same batch: nothing
 * else is re-authenticated, so a record edited offline still fails the check at load.
 */
async function numberTasks(db: StoreDb, ctx: MigrationContext): Promise<void> {
  const macs = db.sublevel<string, { mac: string }>('mac', { valueEncoding: 'json' });
  const mac = ctx.macKey ? new StoreMac(ctx.macKey) : undefined;
  if (!mac && (await macs.keys({ limit: 1 }).all()).length > 0)
    throw new EngineError(
      'TSEM_STORE',
      `the store in ${ctx.dir} is protected by a MAC: start the engine with its store key (--store-key) to migrate it`
    );
  const meta = db.sublevel<string, unknown>('meta', { valueEncoding: 'json' });
  for (const id of await meta.keys().all()) {
    const tasks = db
      .sublevel(`ns:${id}`)
      .sublevel<string, Record<string, unknown>>('k', { valueEncoding: 'json' });
    const all = await tasks.iterator().all();
    const renumbered = all.map(([key, value], i) => [key, { ...value, o: i + 1 }] as const);
    const ops: unknown[] = renumbered.map(([key, value]) => ({
      type: 'put',
      sublevel: tasks,
      key,
      value,
    }));
    const stored = mac ? await macs.get(`ns:${id}`) : undefined;
    if (mac && stored) {
      const acc = Buffer.from(stored.mac, 'hex');
      all.forEach(([key, value], i) => {
        mac.swap(acc, id, 'k', key, value, renumbered[i]![1]);
      });
      ops.push({
        type: 'put',
        sublevel: macs,
        key: `ns:${id}`,
        value: { mac: acc.toString('hex') },
      });
    }
    await db.batch(ops as never);
  }
}

interface FormatRecord {
  readonly version: number;
}

function formatSub(db: StoreDb) {
  return db.sublevel<string, FormatRecord>('store', { valueEncoding: 'json' });
}

async function isEmpty(db: StoreDb): Promise<boolean> {
  return (await db.keys({ limit: 1 }).all()).length === 0;
}

/** The store's version: its record, 1 for a 0.1.0 store, or undefined for a new, empty store. */
export async function readStoreFormat(db: StoreDb): Promise<number | undefined> {
  const rec = await formatSub(db).get('format');
  if (rec !== undefined) return rec.version;
  return (await isEmpty(db)) ? undefined : UNVERSIONED;
}

/**
 * Brings the store to STORE_FORMAT before anything reads it: stamps a new store, migrates an older
 * one step by step (each step's rewrite, then its version), refuses a newer one.
 */
export async function upgradeStore(
  db: StoreDb,
  dir: string,
  log: (m: string) => void = () => undefined,
  migrations: readonly Migration[] = MIGRATIONS,
  target = STORE_FORMAT,
  ctx: MigrationContext = { dir }
): Promise<{ from: number | undefined; to: number }> {
  const from = await readStoreFormat(db);
  if (from !== undefined && from > target) {
    throw new EngineError(
      'TSEM_STORE',
      `the store in ${dir} has format ${from}, written by a newer tsem-engine; this one reads formats up to ${target}: run the newer release, or move the data directory aside`
    );
  }
  let version = from ?? target;
  while (version < target) {
    const step = migrations.find((m) => m.from === version);
    if (!step) throw new RangeError(`no store migration from format ${version}`);
    log(`store: migrating format ${version} to ${version + 1}: ${step.describe}`);
    await step.run(db, ctx);
    version++;
    await formatSub(db).put('format', { version });
  }
  if (from === undefined) await formatSub(db).put('format', { version });
  return { from, to: version };
}
