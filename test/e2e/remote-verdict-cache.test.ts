/**
 * The verdict cache over gRPC, as the engine speaks it: a stream whose hello set verdict_cache gets
 * the cacheable bit on on-contour allows of trusted tasks and the epoch its batches were decided
 * under, and a DecisionsChanged whenever an allow may not hold any more (a mode change, a task
 * turning untrusted), written before any verdict decided after the change. A stream that did not
 * ask gets neither.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import type { Event } from '../../proto/gen/tsem/v1/Event.js';
import type { IngestResponse__Output } from '../../proto/gen/tsem/v1/IngestResponse.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { call, type Clients, clients, toWire } from '../helpers/grpc.js';

const ZERO = '0'.repeat(64);
const open = (pid: number, path: string) =>
  toWire('rc', sourceEvent(pid, 'file_open', { file: fileCell(path, ZERO) }));

/** One Ingest stream: batches go out with early verdicts, every response is kept in order. */
function stream(c: Clients, verdictCache: boolean) {
  const s = c.ingest.Stream(c.meta);
  const got: IngestResponse__Output[] = [];
  let wake = () => undefined as void;
  s.on('data', (m: IngestResponse__Output) => {
    got.push(m);
    wake();
  });
  s.on('error', () => wake());
  s.write({ hello: { exporter: 'test', host: 'h', verdict_cache: verdictCache } });
  let id = 0;
  return {
    got,
    /** Sends one batch and resolves with its BatchResult. */
    async send(events: Event[]) {
      const batchId = String(++id);
      s.write({ batch: { batch_id: batchId, events, early_verdicts: true } });
      for (const end = Date.now() + 5000; Date.now() < end;) {
        const r = got.find((m) => m.result?.batch_id === batchId)?.result;
        if (r) return { result: r, id: batchId };
        await new Promise<void>((res) => {
          wake = res;
          setTimeout(res, 50);
        });
      }
      throw new Error(`no BatchResult for batch ${batchId}`);
    },
    /** Index of the BatchVerdicts of batch `id`. */
    verdictsAt: (batchId: string) => got.findIndex((m) => m.verdicts?.batch_id === batchId),
    changes: () => got.filter((m) => m.decisions_changed),
    end: () => s.end(),
  };
}

let dir: string;
let engine: RunningEngine;
let admin: Clients;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsem-rvcache-'));
  engine = await startEngine({ listen: '127.0.0.1:0', dataDir: dir, log: () => undefined });
  admin = clients(engine.address, engine.adminToken);
});
after(async () => {
  admin.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('cacheable allows, epochs and DecisionsChanged on a stream that asked; nothing on one that did not', async () => {
  const cached = stream(admin, true);
  const plain = stream(admin, false);
  try {
    // Learned first (never cacheable), then on-contour by a trusted task: cacheable.
    const learned = await cached.send([open(10, '/a')]);
    assert.equal(learned.result.verdicts[0]!.kind, 'VERDICT_KIND_LEARNED');
    assert.equal(learned.result.verdicts[0]!.cacheable, false);
    const known = await cached.send([open(10, '/a')]);
    assert.equal(known.result.verdicts[0]!.kind, 'VERDICT_KIND_ON_CONTOUR');
    assert.equal(known.result.verdicts[0]!.cacheable, true);
    const early = cached.got[cached.verdictsAt(known.id)]!.verdicts!;
    assert.equal(early.verdicts[0]!.cacheable, true, 'the early verdicts carry it too');
    const before = Number(early.decided_epoch);

    // The plain stream: the same event, no cacheable bit.
    const p = await plain.send([open(11, '/a')]);
    assert.equal(p.result.verdicts[0]!.kind, 'VERDICT_KIND_ON_CONTOUR');
    assert.equal(p.result.verdicts[0]!.cacheable, false);

    // A change in a namespace this stream never sent to cannot undo its allows: not pushed.
    await call(admin, 'CreateNamespace', { name: 'elsewhere' });
    await call(admin, 'SetMode', { name: 'elsewhere', mode: 'MODE_ENFORCE' });
    await cached.send([open(10, '/a')]);
    assert.deepEqual(
      cached.changes().filter((m) => m.decisions_changed!.namespace !== 'rc'),
      [],
      'no DecisionsChanged for another namespace'
    );

    // A mode change: pushed to the caching stream with a newer epoch.
    await call(admin, 'SetMode', { name: 'rc', mode: 'MODE_ENFORCE' });
    const still = await cached.send([open(10, '/a')]);
    const change = cached.changes().at(-1)!.decisions_changed!;
    assert.equal(change.namespace, 'rc');
    assert.ok(Number(change.epoch) > before);
    assert.equal(still.result.verdicts[0]!.cacheable, true, 'on-contour stays cacheable');
    assert.ok(Number(still.result.decided_epoch) >= Number(change.epoch));

    // Off-contour under enforce: denied, the task turns untrusted. The change is on the stream
    // before that batch's verdicts, so the exporter forgets before it acts on them.
    const pushed = cached.changes().length;
    const off = await cached.send([open(10, '/b')]);
    assert.equal(off.result.verdicts[0]!.action, 'ACTION_DENY');
    assert.equal(off.result.verdicts[0]!.cacheable, false);
    assert.ok(cached.changes().length > pushed, 'a task turning untrusted is a change');
    const changeAt = cached.got.indexOf(cached.changes()[pushed]!);
    assert.ok(changeAt < cached.verdictsAt(off.id), 'DecisionsChanged before the verdicts');
    // The untrusted task's known open: no longer allowed, never cacheable.
    const after = await cached.send([open(10, '/a')]);
    assert.equal(after.result.verdicts[0]!.cacheable, false);
    assert.notEqual(after.result.verdicts[0]!.kind, 'VERDICT_KIND_ON_CONTOUR');

    // Operators see the caching stream and the changes.
    const scrape = (await engine.metrics.scrape()).body;
    assert.match(scrape, /^tsem_verdict_cache_streams 1$/m);
    const changes = Number(/^tsem_verdict_cache_changes_total (\d+)$/m.exec(scrape)?.[1]);
    assert.ok(changes >= Number(cached.changes().at(-1)!.decisions_changed!.epoch));

    // The plain stream heard none of it and still works.
    assert.equal(plain.changes().length, 0);
    assert.equal(plain.got.filter((m) => m.result && m.result.decided_epoch !== '0').length, 0);
    const q = await plain.send([open(12, '/a')]);
    assert.equal(q.result.verdicts[0]!.kind, 'VERDICT_KIND_ON_CONTOUR');
  } finally {
    cached.end();
    plain.end();
  }
});
