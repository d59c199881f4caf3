/**
 * Resource exhaustion by one client: events, auto-created namespaces and subscriptions are limited
 * per identity with clear RESOURCE_EXHAUSTED errors, and a trajectory of large events stays
 * readable page by page (pages bounded in bytes).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import type { EntriesResponse__Output } from '../../proto/gen/tsem/v1/EntriesResponse.js';
import type { BatchResult__Output } from '../../proto/gen/tsem/v1/BatchResult.js';
import { verdictKindNumbers } from '../../proto/enums.js';
import { formatKernelJson } from '../../engine/event/parse-json.js';
import { call, type Clients, clients, ingest, subscribe, toWire } from '../helpers/grpc.js';
import { fileCell, sourceEvent } from '../helpers/events.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-limits-'));
let engine: RunningEngine;
let c: Clients;
const ZERO = '0'.repeat(64);
const ev = (ns: string, path: string, pid = 1) =>
  toWire(ns, sourceEvent(pid, 'file_open', { file: fileCell(path, ZERO) }));

before(async () => {
  engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    limits: {
      maxEventBytes: 2_000_000,
      maxNamespacesPerIdentity: 3,
      maxSubscribersPerIdentity: 2,
      maxQueuedPerIdentity: 300,
    },
    log: () => undefined,
  });
  c = clients(engine.address);
});
after(async () => {
  c.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('an event over the size limit gets a clear error; the batch goes on', async () => {
  const [r] = await ingest(c, [[ev('big', '/x'.repeat(1_100_000)), ev('big', '/ok')]]);
  assert.equal(r!.verdicts[0]!.kind, 'VERDICT_KIND_ERROR');
  assert.match(
    r!.verdicts[0]!.error,
    /resource exhausted: an event of \d+ bytes, more than the limit of 2000000/
  );
  assert.equal(r!.verdicts[1]!.kind, 'VERDICT_KIND_LEARNED');
});

test('a kernel line over the size limit in a LineBlock gets its own error; the others go on', async () => {
  const line = (path: string) =>
    formatKernelJson(sourceEvent(1, 'file_open', { file: fileCell(path, ZERO) }));
  const lines = [line('/a'), line('/x'.repeat(1_100_000)), line('/b')];
  const results = await new Promise<BatchResult__Output[]>((resolve, reject) => {
    const out: BatchResult__Output[] = [];
    const stream = c.ingest.Stream(c.meta);
    stream.on('data', (r: { result?: BatchResult__Output }) => r.result && out.push(r.result));
    stream.on('error', reject);
    stream.on('end', () => resolve(out));
    stream.write({
      batch: {
        batch_id: '1',
        lines: { namespace: 'big', kernel_lines: Buffer.from(lines.join('\n')) },
      },
    });
    stream.end();
  });
  const packed = results[0]!.packed!;
  const kinds = verdictKindNumbers();
  assert.deepEqual(
    [...packed.kinds].map((k) => kinds.name(k)),
    ['VERDICT_KIND_LEARNED', 'VERDICT_KIND_ERROR', 'VERDICT_KIND_LEARNED']
  );
  assert.deepEqual(
    packed.errors.map((e) => e.index),
    [1]
  );
  assert.match(packed.errors[0]!.error, /an event of \d+ bytes, more than the limit of 2000000/);
});

test('auto-created namespaces are limited per identity', async () => {
  const [r] = await ingest(c, [[ev('n1', '/a'), ev('n2', '/a'), ev('n3', '/a')]]);
  const kinds = r!.verdicts.map((v) => v.kind);
  assert.equal(kinds.filter((k) => k === 'VERDICT_KIND_LEARNED').length, 2, 'big took one already');
  const refused = r!.verdicts.find((v) => v.kind === 'VERDICT_KIND_ERROR')!;
  assert.match(refused.error, /resource exhausted: identity 'anonymous' created 3 namespaces/);
});

test('subscriptions and their queues are limited per identity', async () => {
  const a = subscribe(c, { queue_size: 100 });
  const b = subscribe(c, { queue_size: 100 });
  const third = subscribe(c, { queue_size: 10 });
  await third.waitFor(() => false, 3000).catch(() => undefined);
  assert.equal(third.error?.code, 8, 'RESOURCE_EXHAUSTED');
  assert.match(third.error?.details ?? '', /has 2 subscriptions open, its limit/);
  a.cancel();
  await new Promise((r) => setTimeout(r, 200));
  const big = subscribe(c, { queue_size: 250 });
  await big.waitFor(() => false, 3000).catch(() => undefined);
  assert.equal(big.error?.code, 8);
  assert.match(big.error?.details ?? '', /exceeds its limit of 300/);
  b.cancel();
});

test('a trajectory of large events is readable page by page (pages bounded in bytes)', async () => {
  const admin = clients(engine.address, engine.adminToken);
  await call(admin, 'CreateNamespace', { name: 'large' });
  admin.close();
  const events = Array.from({ length: 12 }, (_, i) => ev('large', `/${i}`.padEnd(1_500_000, 'x')));
  for (const e of events) await ingest(c, [[e]]);
  let offset = 0;
  let pages = 0;
  for (;;) {
    const r = await call<EntriesResponse__Output>(c, 'GetTrajectory', { name: 'large', offset });
    assert.equal(r.total, '12');
    if (r.entries.length === 0) break;
    assert.ok(r.entries.length < 12, 'a page stops before 4 MiB of events');
    offset += r.entries.length;
    pages++;
  }
  assert.equal(offset, 12, 'more than the 16 MiB a message may hold, read in pages');
  assert.ok(pages >= 2);
});
