/**
 * The IMA logs of every level (host and each TSEM namespace's IMA namespace) in the model's
 * LevelDB database, one `ima` sublevel, appended in order. An entry is stored as its PCR,
 * template name, raw field data, violation flag and, only when they are not derived from the
 * fields, its template data and logged digest, so it round-trips byte for byte.
 *
 * Keys: `l:<level>:<index, 12 digits>` for entries, where level is `h` for the host and `n` + hex
 * of the namespace name (names are arbitrary text); `f:<hex of file key>` for the hook's marks.
 */
import type { Level } from 'level';
import { EngineError } from '../../common/errors.js';
import type { StoreOp } from '../ns/stage.js';
import type {
  FileMark,
  ImaLogAppend,
  ImaLogPersistence,
  ImaLogSnapshot,
} from '../ima-stage/ima-log-sync.js';
import {
  createTemplateEntry,
  encodeTemplateData,
  type TemplateEntry,
} from '../ima/template-entry.js';
import type { LevelStore } from './level-store.js';

interface EntryRecord {
  p: number;
  t: string;
  /** Field data, base64. */
  f: string[];
  v: boolean;
  /** Template data, base64, when it is not Σ (u32le len ‖ field). */
  d?: string;
  g?: string;
}
interface FileRecord {
  d: string;
  m: string[];
}

type Db = Level<string, unknown>;

const SUBLEVEL = 'ima';
const pad = (n: number) => n.toString().padStart(12, '0');
const levelKey = (ns: string | null) =>
  ns === null ? 'h' : `n${Buffer.from(ns, 'utf8').toString('hex')}`;
const bad = (key: string, what: string) =>
  new EngineError('TSEM_STORE', `IMA log store: record ${JSON.stringify(key)}: expected ${what}`);

export function encodeEntry(e: TemplateEntry): EntryRecord {
  const r: EntryRecord = {
    p: e.pcr,
    t: e.templateName,
    f: e.fields.map((f) => f.toString('base64')),
    v: e.violation,
  };
  if (!e.templateData.equals(encodeTemplateData(e.fields))) r.d = e.templateData.toString('base64');
  if (e.loggedDigest) r.g = e.loggedDigest.toString('base64');
  return r;
}

export function decodeEntry(key: string, r: unknown): TemplateEntry {
  const x = r as Partial<EntryRecord> | null;
  if (
    !x ||
    typeof x !== 'object' ||
    !Number.isInteger(x.p) ||
    typeof x.t !== 'string' ||
    typeof x.v !== 'boolean' ||
    !Array.isArray(x.f) ||
    !x.f.every((f) => typeof f === 'string')
  ) {
    throw bad(key, 'an entry {p: pcr, t: template, f: [base64 fields], v: violation}');
  }
  try {
    return createTemplateEntry(
      x.p!,
      x.t,
      x.f.map((f) => Buffer.from(f, 'base64')),
      {
        violation: x.v,
        ...(typeof x.d === 'string' ? { templateData: Buffer.from(x.d, 'base64') } : {}),
        ...(typeof x.g === 'string' ? { loggedDigest: Buffer.from(x.g, 'base64') } : {}),
      }
    );
  } catch (err) {
    if (err instanceof RangeError)
      throw bad(key, `an entry of a known template with its field count (${err.message})`);
    throw err;
  }
}

export class ImaLogStore implements ImaLogPersistence {
  private constructor(private readonly store: LevelStore) {}

  /** The IMA logs kept in the engine's own database. */
  static of(store: LevelStore): ImaLogStore {
    return new ImaLogStore(store);
  }

  /** The records of appends and file marks, for the batch of the events that made them. */
  ops(appends: readonly ImaLogAppend[], files: readonly FileMark[]): StoreOp[] {
    const ops: StoreOp[] = [];
    for (const a of appends) {
      const lk = levelKey(a.ns);
      a.entries.forEach((e, i) =>
        ops.push({
          type: 'put',
          path: [SUBLEVEL],
          key: `l:${lk}:${pad(a.start + i)}`,
          value: encodeEntry(e),
        })
      );
    }
    for (const f of files) {
      ops.push({
        type: 'put',
        path: [SUBLEVEL],
        key: `f:${Buffer.from(f.key, 'utf8').toString('hex')}`,
        value: { d: f.digest, m: [...f.measured] } satisfies FileRecord,
      });
    }
    return ops;
  }

  /** Writes appends and file marks in one atomic batch of their own (tests, tools). */
  async save(appends: readonly ImaLogAppend[], files: readonly FileMark[]): Promise<void> {
    const ops = this.ops(appends, files);
    if (ops.length > 0) await this.store.writeOps(ops);
  }

  async load(): Promise<ImaLogSnapshot> {
    const logs = new Map<string, { ns: string | null; entries: TemplateEntry[] }>();
    const files: FileMark[] = [];
    // The store's current database: it is reopened after a failed write.
    const db = this.store.sublevel(SUBLEVEL) as unknown as Db;
    for (const [key, value] of await db.iterator().all()) {
      const parts = key.split(':');
      if (parts[0] === 'f' && parts.length === 2) {
        const r = value as Partial<FileRecord> | null;
        if (!r || typeof r.d !== 'string' || !Array.isArray(r.m))
          throw bad(key, 'a file mark {d: digest hex, m: [measured]}');
        files.push({
          key: Buffer.from(parts[1]!, 'hex').toString('utf8'),
          digest: r.d,
          measured: r.m.map(String),
        });
        continue;
      }
      const lk = parts[1] ?? '';
      if (
        parts[0] !== 'l' ||
        parts.length !== 3 ||
        !/^(h|n([0-9a-f]{2})*)$/.test(lk) ||
        !/^\d{12}$/.test(parts[2]!)
      ) {
        throw bad(key, "a key 'l:<level>:<index>' or 'f:<hex>'");
      }
      let log = logs.get(lk);
      if (!log)
        logs.set(
          lk,
          (log = {
            ns: lk === 'h' ? null : Buffer.from(lk.slice(1), 'hex').toString('utf8'),
            entries: [],
          })
        );
      // Keys sort by index: a gap means a lost write, which must not be papered over.
      if (Number(parts[2]) !== log.entries.length)
        throw bad(key, `index ${log.entries.length} next in this level's log`);
      log.entries.push(decodeEntry(key, value));
    }
    return { logs: [...logs.values()], files };
  }
}
