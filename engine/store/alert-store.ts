/**
 * The persisted incident and alert log, in the model's LevelDB database (one `alerts` sublevel, so
 * each write is one atomic batch): incidents by id (latest state), the alert log (each version of
 * an incident in order: what outputs deliver), and each output's delivery cursor.
 *
 * Keys: `i:<id>` incidents, `r:<seq, 12 digits>` log records, `c:<output name>` cursors, `m:seq`
 * the next log sequence number. Retention is bounded by age and count.
 */
import type { Level } from 'level';
import { EngineError } from '../../common/errors.js';
import type { AlertRecord, Incident } from '../incident/incident.js';
import type { StoredIncident } from '../incident/tracker.js';
import type { LevelStore } from './level-store.js';

type Db = Level<string, unknown>;
type Op = { type: 'put'; key: string; value: unknown } | { type: 'del'; key: string };

const pad = (n: number) => n.toString().padStart(12, '0');
const recKey = (seq: number) => `r:${pad(seq)}`;

export interface IncidentQuery {
  readonly sinceMs?: number;
  readonly namespace?: string;
  /** Namespaces the caller may see (undefined = all). */
  readonly visible?: (ns: string) => boolean;
  readonly limit?: number;
}

export interface Retention {
  /** Closed incidents and log records older than this go (default 30 days). */
  readonly maxAgeMs: number;
  /** Log records kept at most (default 100,000); incidents at most a tenth of it. */
  readonly maxRecords: number;
}

export const DEFAULT_RETENTION: Retention = { maxAgeMs: 30 * 86_400_000, maxRecords: 100_000 };

export class AlertStore {
  private constructor(
    /** The sublevel, asked for each time: reopen() (after a failed write) replaces the database. */
    private readonly sub: () => Db,
    /** Writes go in the store's queue (LevelStore.serialWrite): one failure stops every writer. */
    private readonly serial: (job: () => Promise<void>) => Promise<void>
  ) {}

  static of(store: LevelStore): AlertStore {
    return new AlertStore(
      () => store.sublevel('alerts') as unknown as Db,
      (job) => store.serialWrite(job)
    );
  }

  /** Open incidents (to restore the tracker) and the next log sequence number. */
  async load(): Promise<{ open: StoredIncident[]; nextSeq: number }> {
    const open: StoredIncident[] = [];
    for await (const [key, v] of this.sub().iterator({ gt: 'i:', lt: 'i;' })) {
      const s = v as StoredIncident;
      if (!s || typeof s !== 'object' || !s.incident || typeof s.incident.id !== 'string')
        throw new EngineError('TSEM_STORE', `alert store: record ${key}: expected an incident`);
      if (s.incident.status === 'open') open.push(s);
    }
    const seq = await this.sub().get('m:seq');
    return { open, nextSeq: typeof seq === 'number' ? seq : 1 };
  }

  /** Writes changed incidents and new log records in one atomic batch. */
  async write(
    incidents: readonly StoredIncident[],
    records: readonly AlertRecord[]
  ): Promise<void> {
    if (incidents.length === 0 && records.length === 0) return;
    const ops: Op[] = incidents.map((s) => ({ type: 'put', key: `i:${s.incident.id}`, value: s }));
    for (const r of records) ops.push({ type: 'put', key: recKey(r.seq), value: r });
    if (records.length > 0)
      ops.push({ type: 'put', key: 'm:seq', value: records[records.length - 1]!.seq + 1 });
    try {
      await this.serial(() => this.sub().batch(ops as never));
    } catch (err) {
      throw new EngineError(
        'TSEM_STORE',
        `alert store: writing ${ops.length} records failed: ${(err as Error).message}`,
        { cause: err }
      );
    }
  }

  /** Log records with seq ≥ from, in order, at most `limit`. */
  async records(from: number, limit: number): Promise<AlertRecord[]> {
    const out: AlertRecord[] = [];
    for await (const [, v] of this.sub().iterator({ gte: recKey(from), lt: 'r;', limit }))
      out.push(v as AlertRecord);
    return out;
  }

  /** The lowest seq still stored (1 when the log is empty or never pruned). */
  async firstSeq(): Promise<number> {
    for await (const [, v] of this.sub().iterator({ gt: 'r:', lt: 'r;', limit: 1 }))
      return (v as AlertRecord).seq;
    return 1;
  }

  async cursor(output: string): Promise<number> {
    const v = await this.sub().get(`c:${output}`);
    return typeof v === 'number' ? v : 0;
  }

  async setCursor(output: string, seq: number): Promise<void> {
    await this.serial(() => this.sub().put(`c:${output}`, seq));
  }

  async incident(id: string): Promise<Incident | undefined> {
    const v = (await this.sub().get(`i:${id}`)) as StoredIncident | undefined;
    return v?.incident;
  }

  /** Incidents seen since `sinceMs`, newest first. */
  async incidents(q: IncidentQuery = {}): Promise<Incident[]> {
    const out: Incident[] = [];
    for await (const [, v] of this.sub().iterator({ gt: 'i:', lt: 'i;' })) {
      const inc = (v as StoredIncident).incident;
      if (q.namespace !== undefined && inc.namespace !== q.namespace) continue;
      if (q.visible && !q.visible(inc.namespace)) continue;
      if (q.sinceMs !== undefined && inc.lastSeenMs < q.sinceMs) continue;
      out.push(inc);
    }
    out.sort((a, b) => b.openedMs - a.openedMs || (a.id < b.id ? -1 : 1));
    return q.limit !== undefined ? out.slice(0, q.limit) : out;
  }

  /** Drops log records and closed incidents beyond the retention; returns how many records went. */
  async prune(nowMs: number, r: Retention = DEFAULT_RETENTION): Promise<number> {
    const ops: Op[] = [];
    let count = 0;
    for await (const _ of this.sub().keys({ gt: 'r:', lt: 'r;' })) count++;
    let excess = count - r.maxRecords;
    for await (const [key, v] of this.sub().iterator({ gt: 'r:', lt: 'r;' })) {
      if (excess <= 0 && (v as AlertRecord).timeMs >= nowMs - r.maxAgeMs) break;
      ops.push({ type: 'del', key });
      excess--;
    }
    const removed = ops.length;
    const closed: [string, number][] = [];
    for await (const [key, v] of this.sub().iterator({ gt: 'i:', lt: 'i;' })) {
      const inc = (v as StoredIncident).incident;
      if (inc.status === 'closed') closed.push([key, inc.closedMs ?? inc.lastSeenMs]);
    }
    closed.sort((a, b) => a[1] - b[1]);
    const maxIncidents = Math.max(1, Math.floor(r.maxRecords / 10));
    closed.forEach(([key, at], i) => {
      if (at < nowMs - r.maxAgeMs || closed.length - i > maxIncidents)
        ops.push({ type: 'del', key });
    });
    if (ops.length > 0) await this.serial(() => this.sub().batch(ops as never));
    return removed;
  }
}
