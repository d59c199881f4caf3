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

/** The format this engine writes. */
export const STORE_FORMAT = 7;

/** A store with data but no format record was written by release 0.1.0. */
const UNVERSIONED = 1;

export type StoreDb = Level<string, unknown>;

export interface Migration {
  /** Migrates a store of version `from` to `from + 1`. */
  readonly from: number;
  /** One line for the start-up log. */
  readonly describe: string;
  /** Rewrites what changed; the new version is written after it returns. */
  run(db: StoreDb, ctx: MigrationContext): Promise<void>;
}

export interface MigrationContext {
  /** The store key, when the engine has one: a migration that adds namespace records keeps the
   * namespace's MAC (store-mac.ts) in step. */
  readonly macKey?: Buffer;
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
];

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
  ctx: MigrationContext = {}
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
