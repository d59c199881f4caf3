/**
 * Store format 6 → 7: point descriptions. Up to format 6 a learned or forensic point's first event
 * was kept only as a kernel line in the trajectory or forensics, and a finding's line in its
 * finding record. Format 7 keeps a structured description per coefficient in a new part (`d`); a
 * finding's description also holds its line. Only records are added, none rewritten (a finding
 * record keeps its old line, which restore ignores); points that came from model files have no
 * event and stay undescribed. One atomic batch per namespace, with the namespace's MAC brought up
 * to date in the same batch when the store is protected (store-mac.ts).
 */
import type { Level } from 'level';
import { EngineError } from '../../common/errors.js';
import { describeLine } from '../event/describe.js';
import type { EntryRecord, FindingRecord } from '../ns/namespace-snapshot.js';
import type { Migration, MigrationContext, StoreDb } from './store-format.js';
import { recordMacOf, xorMac } from './store-mac.js';

type Json = Level<string, unknown>;
type Put = { type: 'put'; sublevel: Json; key: string; value: unknown };

function part(db: StoreDb, id: string, p: string): Json {
  return db.sublevel(`ns:${id}`).sublevel(p, { valueEncoding: 'json' }) as unknown as Json;
}

async function migrateNamespace(db: StoreDb, id: string, ctx: MigrationContext): Promise<void> {
  const descriptions = part(db, id, 'd');
  const added = new Map<string, unknown>();
  for (const p of ['t', 'f']) {
    for (const [, e] of (await part(db, id, p).iterator().all()) as [string, EntryRecord][]) {
      const d = added.has(e.c) ? undefined : describeLine(e.l);
      if (d) added.set(e.c, d);
    }
  }
  for (const [hex, f] of (await part(db, id, 'a').iterator().all()) as [string, FindingRecord][]) {
    const d = f.l === undefined || added.has(hex) ? undefined : describeLine(f.l);
    if (d) added.set(hex, { ...d, line: f.l });
  }
  if (added.size === 0) return;
  const ops: Put[] = [...added].map(([key, value]) => ({
    type: 'put',
    sublevel: descriptions,
    key,
    value,
  }));
  const macs = db.sublevel('mac', { valueEncoding: 'json' }) as unknown as Level<
    string,
    { mac: string }
  >;
  const stored = await macs.get(`ns:${id}`);
  if (stored !== undefined) {
    if (!ctx.macKey)
      throw new EngineError(
        'TSEM_STORE',
        `namespace ${id} is protected by a MAC: start the engine with its store key (--store-key) to migrate the store`
      );
    const acc = Buffer.from(stored.mac, 'hex');
    for (const [key, value] of added) xorMac(acc, recordMacOf(ctx.macKey, id, 'd', key, value));
    ops.push({
      type: 'put',
      sublevel: macs as unknown as Json,
      key: `ns:${id}`,
      value: { mac: acc.toString('hex') },
    });
  }
  await db.batch(ops as never);
}

export const describePoints: Migration = {
  from: 6,
  describe: "describe every point and finding from its first event's kernel line (new part `d`)",
  async run(db, ctx) {
    const meta = db.sublevel('meta', { valueEncoding: 'json' }) as unknown as Json;
    for (const id of await meta.keys().all()) await migrateNamespace(db, id, ctx);
  },
};
