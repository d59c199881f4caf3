/**
 * The engine with its namespaces decided in 2 worker threads (`tsem serve --workers 2`), end to
 * end over gRPC: parallel training, sealing, an attack streamed to a subscriber, a restart from
 * the store; every namespace ends exactly where an engine without workers leaves it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEngine } from '../../daemon/start-engine.js';
import type { NamespaceInfo__Output } from '../../proto/gen/tsem/v1/NamespaceInfo.js';
import { call, clients, ingest, scenarioBatches, subscribe } from '../helpers/grpc.js';

const quiet = () => undefined;

const batches = (ns: string, scenario: string, seed: number, size = 300) =>
  scenarioBatches(ns, scenario, seed, size);

const TRAINING: [string, string, number][] = [
  ['web', 'nginx', 1],
  ['cron', 'cron-backup', 4],
  ['shell', 'shell', 5],
];

/** Trains three namespaces in parallel, seals `web`, replays an attack; the figures. */
async function session(workers: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-e2e-workers-'));
  const said: string[] = [];
  let engine = await startEngine({
    listen: '127.0.0.1:0',
    http: '127.0.0.1:0',
    dataDir: dir,
    workers,
    log: (m) => said.push(m),
  });
  try {
    const c = clients(engine.address);
    const admin = clients(engine.address, engine.adminToken);
    await Promise.all(TRAINING.map(([ns, s, seed]) => ingest(c, batches(ns, s, seed))));
    await call(admin, 'SetMode', { name: 'web', mode: 'MODE_ENFORCE' });
    const sub = subscribe(c, { namespaces: ['web'], off_contour_only: true });
    await new Promise((r) => setTimeout(r, 100));
    const attack = await ingest(c, batches('web', 'reverse-shell', 3));
    await sub.waitFor((m) => m.some((x) => x.event?.verdict?.kind === 'VERDICT_KIND_OFF_CONTOUR'));
    sub.cancel();
    const verdicts = attack.flatMap((r) => r.verdicts.map((v) => `${v.kind} ${v.action}`));
    const metrics = await (await fetch(`http://${engine.httpAddress}/metrics`)).text();
    c.close();
    admin.close();
    await engine.stop();
    // From the store: the namespaces come back and go on.
    engine = await startEngine({ listen: '127.0.0.1:0', dataDir: dir, workers, log: quiet });
    const c2 = clients(engine.address);
    await ingest(c2, batches('cron', 'cron-backup', 6));
    const figures = await Promise.all(
      TRAINING.map(([name]) => call<NamespaceInfo__Output>(c2, 'GetNamespace', { name }))
    );
    c2.close();
    return {
      verdicts,
      said,
      metrics,
      figures: figures.map((f) => ({ ...f, created: undefined, last_event: undefined })),
    };
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('namespaces in 2 worker threads end exactly where one thread leaves them', async () => {
  const [threads, alone] = [await session(2), await session(0)];
  assert.ok(threads.said.some((l) => /events decided in 2 worker thread/.test(l)));
  assert.ok(threads.verdicts.includes('VERDICT_KIND_OFF_CONTOUR ACTION_DENY'));
  assert.deepEqual(threads.verdicts, alone.verdicts);
  assert.deepEqual(threads.figures, alone.figures);
  assert.ok(Number(threads.figures[0]!.forensics_length) > 0);
  // Operators see the workers: namespaces per worker, heaps, restarts.
  const gauge = (name: string) =>
    [...threads.metrics.matchAll(new RegExp(`^${name}\\{worker="(\\d)"\\} (\\d+)`, 'gm'))].map(
      (m) => Number(m[2])
    );
  assert.equal(
    gauge('tsem_shard_worker_namespaces').reduce((a, b) => a + b, 0),
    3
  );
  assert.equal(gauge('tsem_shard_worker_heap_bytes').length, 2);
  assert.ok(gauge('tsem_shard_worker_heap_bytes').every((b) => b > 1e6));
  assert.match(threads.metrics, /^tsem_shard_worker_restarts_total 0$/m);
  assert.doesNotMatch(alone.metrics, /tsem_shard_worker/);
});

test('worker threads and the modeling agent: refused at start, saying why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-e2e-workers-agent-'));
  try {
    await assert.rejects(
      startEngine({ listen: '127.0.0.1:0', dataDir: dir, workers: 2, agent: {}, log: quiet }),
      /modeling agent follows each namespace event by event/
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
