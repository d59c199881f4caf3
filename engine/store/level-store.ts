/**
 * LevelDB persistence (`level`): one sublevel per namespace, and every change set written as one
 * atomic batch together with the namespace's meta record, so a restart resumes exactly: the next
 * event extends the same measurement as if the process had never stopped.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { EngineError } from '../../common/errors.js';
import type { ChangeSet, EventEntry, NamespaceModel } from '../ns/namespace-model.js';
import {
  entryRecord,
  type EntryRecord,
  findingRecord,
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
import { upgradeStore } from './store-format.js';

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

/** A namespace's record sets: points, trajectory, forensics, audit findings, tasks, rejected lines. */
const PARTS = ['p', 't', 'f', 'a', 'k', 'r'] as const;
type Part = (typeof PARTS)[number];

export class LevelStore {
  private readonly meta: Sub;

  private constructor(private readonly db: Level<string, unknown>) {
    this.meta = db.sublevel('meta', { valueEncoding: 'json' }) as unknown as Sub;
  }

  /** Opens the store, migrating an older format first (log says so); refuses a newer one. */
  static async open(dir: string, log?: (m: string) => void): Promise<LevelStore> {
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
      await upgradeStore(db, dir, log);
    } catch (err) {
      await db.close();
      throw err;
    }
    return new LevelStore(db);
  }

  private sub(id: string, part: Part): Sub {
    return this.db.sublevel(`ns:${id}`).sublevel(part, { valueEncoding: 'json' }) as unknown as Sub;
  }

  /** Writes the namespace's changes since the last drain and its meta, atomically. */
  async persist(ns: NamespaceModel, cs: ChangeSet = ns.drainChanges()): Promise<void> {
    const ops: BatchOp[] = [
      { type: 'put', sublevel: this.meta, key: ns.id, value: metaRecord(ns) },
    ];
    const p = this.sub(ns.id, 'p');
    for (const pt of cs.points)
      ops.push({ type: 'put', sublevel: p, key: pt.hex, value: pointRecord(pt) });
    const entries = (part: 't' | 'f', list: readonly EventEntry[], start: number) => {
      const s = this.sub(ns.id, part);
      list.forEach((e, i) =>
        ops.push({ type: 'put', sublevel: s, key: pad(start + i), value: entryRecord(e) })
      );
    };
    entries('t', cs.trajectory, cs.trajectoryStart);
    entries('f', cs.forensics, cs.forensicsStart);
    const a = this.sub(ns.id, 'a');
    for (const e of cs.audit)
      ops.push({
        type: 'put',
        sublevel: a,
        key: e.coefficient.toString('hex'),
        value: findingRecord(e),
      });
    const r = this.sub(ns.id, 'r');
    cs.rejected.forEach((e, i) =>
      ops.push({
        type: 'put',
        sublevel: r,
        key: pad(cs.rejectedStart + i),
        value: rejectedRecord(e),
      })
    );
    const k = this.sub(ns.id, 'k');
    for (const [key, t] of cs.tasks) {
      ops.push(
        t
          ? { type: 'put', sublevel: k, key, value: taskRecord(t) }
          : { type: 'del', sublevel: k, key }
      );
    }
    try {
      await this.db.batch(ops as never);
    } catch (err) {
      throw new EngineError(
        'TSEM_STORE',
        `namespace ${ns.id}: persisting ${ops.length} records failed: ${(err as Error).message}`,
        { cause: err }
      );
    }
  }

  private async values<T>(s: Sub): Promise<[string, T][]> {
    return await (s as unknown as Level<string, T>).iterator().all();
  }

  /** Restores every namespace exactly as persisted. */
  async loadAll(): Promise<NamespaceModel[]> {
    const out: NamespaceModel[] = [];
    for (const [id, meta] of await this.values<MetaRecord>(this.meta)) {
      out.push(
        restoreNamespace({
          meta,
          points: await this.values<PointRecord>(this.sub(id, 'p')),
          trajectory: (await this.values<EntryRecord>(this.sub(id, 't'))).map(([, r]) => r),
          forensics: (await this.values<EntryRecord>(this.sub(id, 'f'))).map(([, r]) => r),
          findings: (await this.values<EntryRecord>(this.sub(id, 'a'))).map(([, r]) => r),
          tasks: await this.values<TaskRecord>(this.sub(id, 'k')),
          rejected: (await this.values<RejectedRecord>(this.sub(id, 'r'))).map(([, v]) => v),
        })
      );
    }
    return out;
  }

  /**
   * A JSON sublevel of this database for another persistent part (the IMA logs), so it shares the
   * database and LevelDB's atomic batches. The model's own names (`meta`, `ns:*`) are refused.
   */
  sublevel(name: string): ReturnType<Level<string, unknown>['sublevel']> {
    if (name === 'meta' || name === 'store' || name.startsWith('ns:'))
      throw new RangeError(`sublevel '${name}' belongs to the model`);
    return this.db.sublevel(name, { valueEncoding: 'json' }) as unknown as Sub;
  }

  async deleteNamespace(id: string): Promise<void> {
    await this.meta.del(id);
    for (const part of PARTS)
      await (this.sub(id, part) as unknown as Level<string, unknown>).clear();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
