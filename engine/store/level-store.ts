/**
 * LevelDB persistence (`level`): one sublevel per namespace, and every change set written as one
 * atomic batch together with the namespace's meta record, so a restart resumes exactly: the next
 * event extends the same measurement as if the process had never stopped.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { EngineError } from '../../common/errors.js';
import type { Convergence } from '../ns/convergence.js';
import { type ChangeSet, type EventEntry, type Mode, type NamespaceConfig, NamespaceModel } from '../ns/namespace-model.js';
import type { Task } from '../ns/task-table.js';
import type { Dialect } from '../measure/mapper.js';

/** Default data directory: $TSEM_DATA_DIR, else $XDG_DATA_HOME/tsem, else ~/.local/share/tsem. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['TSEM_DATA_DIR']) return env['TSEM_DATA_DIR'];
  return join(env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'tsem');
}

interface MetaRecord {
  config: {
    id: string; digest: string; nsref: 'initial' | 'current'; mode: Mode; dialect: Dialect;
    taskIdCoe: 'zero' | 'actual'; aggregate: string; base: string;
  };
  measurement: string;
  events: number;
  pseudonyms: string[];
  convergence: ReturnType<Convergence['snapshot']>;
}
interface PointRecord { o: number; v: boolean; n: number }
interface EntryRecord { c: string; l: string; n?: number }
interface TaskRecord { t: string; p: string; s: 'trusted' | 'untrusted' }

type Sub = ReturnType<Level<string, unknown>['sublevel']>;
type BatchOp = { type: 'put'; sublevel: Sub; key: string; value: unknown } | { type: 'del'; sublevel: Sub; key: string };

const pad = (n: number) => n.toString().padStart(12, '0');

export class LevelStore {
  private readonly meta: Sub;

  private constructor(private readonly db: Level<string, unknown>) {
    this.meta = db.sublevel('meta', { valueEncoding: 'json' }) as unknown as Sub;
  }

  static async open(dir: string): Promise<LevelStore> {
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    try {
      await db.open();
    } catch (err) {
      throw new EngineError('TSEM_STORE', `cannot open the data directory ${dir}: ${(err as Error).message}`, { cause: err });
    }
    return new LevelStore(db);
  }

  private sub(id: string, part: 'p' | 't' | 'f' | 'a' | 'k'): Sub {
    return this.db.sublevel(`ns:${id}`).sublevel(part, { valueEncoding: 'json' }) as unknown as Sub;
  }

  private metaOf(ns: NamespaceModel): MetaRecord {
    const c = ns.config;
    return {
      config: { ...c, aggregate: c.aggregate.toString('hex'), base: c.base.toString('hex') },
      measurement: ns.measurement.toString('hex'),
      events: ns.eventCount,
      pseudonyms: [...ns.pseudonyms],
      convergence: ns.convergence.snapshot(),
    };
  }

  /** Writes the namespace's changes since the last drain and its meta, atomically. */
  async persist(ns: NamespaceModel, cs: ChangeSet = ns.drainChanges()): Promise<void> {
    const ops: BatchOp[] = [{ type: 'put', sublevel: this.meta, key: ns.id, value: this.metaOf(ns) }];
    const p = this.sub(ns.id, 'p');
    for (const pt of cs.points) ops.push({ type: 'put', sublevel: p, key: pt.hex, value: { o: pt.index, v: pt.valid, n: pt.count } satisfies PointRecord });
    const entries = (part: 't' | 'f', list: readonly EventEntry[], start: number) => {
      const s = this.sub(ns.id, part);
      list.forEach((e, i) => ops.push({ type: 'put', sublevel: s, key: pad(start + i), value: { c: e.coefficient.toString('hex'), l: e.line } satisfies EntryRecord }));
    };
    entries('t', cs.trajectory, cs.trajectoryStart);
    entries('f', cs.forensics, cs.forensicsStart);
    const a = this.sub(ns.id, 'a');
    for (const e of cs.audit) ops.push({ type: 'put', sublevel: a, key: e.coefficient.toString('hex'), value: { c: e.coefficient.toString('hex'), l: e.line, n: e.count } satisfies EntryRecord });
    const k = this.sub(ns.id, 'k');
    for (const [key, t] of cs.tasks) {
      ops.push(t ? { type: 'put', sublevel: k, key, value: { t: t.taskId.toString('hex'), p: t.pTaskId.toString('hex'), s: t.trust } satisfies TaskRecord } : { type: 'del', sublevel: k, key });
    }
    try {
      await this.db.batch(ops as never);
    } catch (err) {
      throw new EngineError('TSEM_STORE', `namespace ${ns.id}: persisting ${ops.length} records failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private async values<T>(s: Sub): Promise<[string, T][]> {
    return (await (s as unknown as Level<string, T>).iterator().all()) as [string, T][];
  }

  /** Restores every namespace exactly as persisted. */
  async loadAll(): Promise<NamespaceModel[]> {
    const out: NamespaceModel[] = [];
    for (const [id, m] of await this.values<MetaRecord>(this.meta)) {
      const config: NamespaceConfig = {
        ...m.config, aggregate: Buffer.from(m.config.aggregate, 'hex'), base: Buffer.from(m.config.base, 'hex'),
      };
      const points = (await this.values<PointRecord>(this.sub(id, 'p')))
        .sort((x, y) => x[1].o - y[1].o)
        .map(([hex, r]) => ({ coefficient: Buffer.from(hex, 'hex'), valid: r.v, count: r.n }));
      const entry = ([, r]: [string, EntryRecord]) => ({ coefficient: Buffer.from(r.c, 'hex'), line: r.l });
      out.push(NamespaceModel.restore({
        config,
        points,
        trajectory: (await this.values<EntryRecord>(this.sub(id, 't'))).map(entry),
        forensics: (await this.values<EntryRecord>(this.sub(id, 'f'))).map(entry),
        audit: (await this.values<EntryRecord>(this.sub(id, 'a'))).map((e) => ({ ...entry(e), count: e[1].n ?? 1 })),
        tasks: (await this.values<TaskRecord>(this.sub(id, 'k'))).map(([key, r]): [string, Task] => [
          key, { taskId: Buffer.from(r.t, 'hex'), pTaskId: Buffer.from(r.p, 'hex'), trust: r.s },
        ]),
        pseudonyms: m.pseudonyms,
        events: m.events,
        measurement: Buffer.from(m.measurement, 'hex'),
        convergence: m.convergence,
      }));
    }
    return out;
  }

  /**
   * A JSON sublevel of this database for another persistent part (the IMA logs), so it shares the
   * database and LevelDB's atomic batches. The model's own names (`meta`, `ns:*`) are refused.
   */
  sublevel(name: string): ReturnType<Level<string, unknown>['sublevel']> {
    if (name === 'meta' || name.startsWith('ns:')) throw new RangeError(`sublevel '${name}' belongs to the model`);
    return this.db.sublevel(name, { valueEncoding: 'json' }) as unknown as Sub;
  }

  async deleteNamespace(id: string): Promise<void> {
    await this.meta.del(id);
    for (const part of ['p', 't', 'f', 'a', 'k'] as const) await (this.sub(id, part) as unknown as Level<string, unknown>).clear();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
