/**
 * End to end over real sockets: a server on an ephemeral port, real gRPC clients, the simulated
 * workloads; training, sealing, benign and attack replays, parallel namespaces, restart, bad input.
 */
import type { BatchResult__Output } from '../../proto/gen/tsem/v1/BatchResult.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import type { NamespaceInfo__Output } from '../../proto/gen/tsem/v1/NamespaceInfo.js';
import type { Event } from '../../proto/gen/tsem/v1/Event.js';
import { createScenario } from '../../exporter/sim/index.js';
import {
  call,
  scenarioBatches,
  type Clients,
  clients,
  ingest,
  subscribe,
  toWire,
} from '../helpers/grpc.js';
import { verdictKindNumbers } from '../../proto/enums.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-e2e-'));
let engine: RunningEngine;
let c: Clients;
let admin: Clients;
const quiet = () => undefined;

const batches = (ns: string, scenario: string, seed: number, size = 400) =>
  scenarioBatches(ns, scenario, seed, size);
const info = (name: string) => call<NamespaceInfo__Output>(c, 'GetNamespace', { name });
const kinds = (results: Awaited<ReturnType<typeof ingest>>) => {
  const k: Record<string, number> = {};
  for (const r of results) for (const v of r.verdicts) k[v.kind] = (k[v.kind] ?? 0) + 1;
  return k;
};

before(async () => {
  engine = await startEngine({ listen: '127.0.0.1:0', dataDir: dir, log: quiet });
  c = clients(engine.address);
  admin = clients(engine.address, engine.adminToken);
});
after(async () => {
  c.close();
  admin.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('train from a scenario: every event gets a verdict, in order, once persisted', async () => {
  const b = batches('web', 'nginx', 1);
  const results = await ingest(c, b);
  assert.deepEqual(
    results.map((r) => r.batch_id),
    b.map((_, i) => String(i + 1))
  );
  assert.deepEqual(
    results.map((r) => r.verdicts.length),
    b.map((x) => x.length)
  );
  const k = kinds(results);
  assert.equal(k['VERDICT_KIND_ERROR'], undefined);
  assert.ok((k['VERDICT_KIND_LEARNED'] ?? 0) > 10);
  const ns = await info('web');
  assert.equal(Number(ns.points), k['VERDICT_KIND_LEARNED']);
  assert.equal(ns.mode, 'MODE_LEARN');
});

test('mode changes need the admin token', async () => {
  await assert.rejects(
    call(c, 'SetMode', { name: 'web', mode: 'MODE_SEALED' }),
    (e: grpc.ServiceError) =>
      e.code === grpc.status.PERMISSION_DENIED && /lacks the 'admin' role/.test(e.details)
  );
  const bad = clients(engine.address, 'not-the-token');
  await assert.rejects(
    call(bad, 'GetNamespace', { name: 'web' }),
    (e: grpc.ServiceError) => e.code === grpc.status.UNAUTHENTICATED
  );
  bad.close();
  const r = await call<NamespaceInfo__Output>(admin, 'SetMode', {
    name: 'web',
    mode: 'MODE_SEALED',
  });
  assert.equal(r.mode, 'MODE_SEALED');
});

test('sealed: a benign replay with another seed gives zero forensics', async () => {
  const before = await info('web');
  const results = await ingest(c, batches('web', 'nginx', 2));
  const k = kinds(results);
  assert.equal(k['VERDICT_KIND_OFF_CONTOUR'], undefined);
  const after = await info('web');
  assert.equal(after.forensics_length, '0');
  assert.equal(after.measurement, before.measurement);
});

test('sealed: an attack raises off-contour alerts a subscriber receives, naming the events', async () => {
  const sub = subscribe(c, { namespaces: ['web'], off_contour_only: true });
  await new Promise((r) => setTimeout(r, 100));
  const results = await ingest(c, batches('web', 'reverse-shell', 3));
  assert.ok((kinds(results)['VERDICT_KIND_OFF_CONTOUR'] ?? 0) >= 1);
  await sub.waitFor((m) => m.some((x) => x.event?.verdict?.kind === 'VERDICT_KIND_OFF_CONTOUR'));
  sub.cancel();
  const alerts = sub.messages.filter((m) => m.event).map((m) => m.event!);
  assert.ok(alerts.every((a) => a.alert && a.namespace === 'web'));
  const off = alerts.find((a) => a.verdict?.kind === 'VERDICT_KIND_OFF_CONTOUR')!;
  assert.equal(off.type, 'file_open');
  assert.match(off.event_json, /"file_open"/);
  assert.equal(off.host, 'testhost');
  assert.ok(Number((await info('web')).forensics_length) >= 1);
});

test('two namespaces in parallel stay independent', async () => {
  const [a, b] = await Promise.all([
    ingest(c, batches('cron', 'cron-backup', 4)),
    ingest(c, batches('shell', 'shell', 5)),
  ]);
  assert.ok(kinds(a)['VERDICT_KIND_LEARNED']! > 0 && kinds(b)['VERDICT_KIND_LEARNED']! > 0);
  const alone = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: mkdtempSync(join(tmpdir(), 'tsem-e2e-alone-')),
    log: quiet,
  });
  const c2 = clients(alone.address);
  await ingest(c2, batches('cron', 'cron-backup', 4));
  const solo = await call<NamespaceInfo__Output>(c2, 'GetNamespace', { name: 'cron' });
  c2.close();
  await alone.stop();
  rmSync(alone.dataDir, { recursive: true, force: true });
  const shared = await info('cron');
  assert.equal(shared.measurement, solo.measurement);
  assert.equal(shared.points, solo.points);
});

test('restart on the same data directory restores every namespace exactly', async () => {
  const names = ['web', 'cron', 'shell'];
  const beforeInfo = await Promise.all(names.map(info));
  c.close();
  admin.close();
  await engine.stop();
  engine = await startEngine({ listen: '127.0.0.1:0', dataDir: dir, log: quiet });
  c = clients(engine.address);
  admin = clients(engine.address, engine.adminToken);
  const afterInfo = await Promise.all(names.map(info));
  assert.deepEqual(afterInfo, beforeInfo);
  // The next events extend the same measurement as an engine that never stopped would.
  const results = await ingest(c, batches('shell', 'shell', 9));
  assert.equal(kinds(results)['VERDICT_KIND_ERROR'], undefined);
});

test('bad input: clear gRPC errors, and the server keeps serving', async () => {
  await assert.rejects(
    info('nope'),
    (e: grpc.ServiceError) =>
      e.code === grpc.status.NOT_FOUND && /namespace 'nope' does not exist/.test(e.details)
  );
  await assert.rejects(
    call(admin, 'SetMode', { name: 'web', mode: 'MODE_BOGUS' }),
    (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT
  );
  await assert.rejects(
    call(admin, 'LoadModel', { name: 'web', model: 'state 12\nend\n' }),
    (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /line 1/.test(e.details)
  );
  // Garbage bytes and a protobuf with a wrong wire type, through a raw client.
  const raw = new grpc.Client(engine.address, grpc.credentials.createInsecure());
  const send = (bytes: Buffer) =>
    new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest(
        '/tsem.v1.Control/GetNamespace',
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        new grpc.Metadata(),
        (e) => resolve(e)
      )
    );
  const garbage = await send(Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x99]));
  assert.ok(garbage && garbage.code !== grpc.status.OK);
  const wrongType = await send(Buffer.from([0x08, 0x05]));
  assert.ok(wrongType && wrongType.code !== grpc.status.OK);
  raw.close();
  // A malformed event gets an ERROR verdict naming the field; its neighbours still pass.
  const good = batches('web', 'nginx', 1)[0]!.slice(0, 2);
  const broken: Event = {
    namespace: 'web',
    structured: {
      header: { process: 'x', type: 'capable' },
      coe: {},
      cell_json: Buffer.from('{"cap": "8"}'),
    },
  };
  const [res] = await ingest(c, [[good[0]!, broken, good[1]!]]);
  const [alone] = await ingest(c, [good]);
  assert.deepEqual(
    res!.verdicts.map((v) => v.kind),
    [alone!.verdicts[0]!.kind, 'VERDICT_KIND_ERROR', alone!.verdicts[1]!.kind]
  );
  assert.match(res!.verdicts[1]!.error, /field 'COE.uid': missing/);
  // An oversized batch ends that stream with INVALID_ARGUMENT.
  const big = Array.from({ length: 4097 }, () => good[0]!);
  await assert.rejects(
    ingest(c, [big]),
    (e: grpc.ServiceError) =>
      e.code === grpc.status.INVALID_ARGUMENT && /more than the limit of 4096/.test(e.details)
  );
  // Everyone else is still served.
  assert.equal((await info('web')).name, 'web');
  assert.equal((await ingest(c, [good]))[0]!.verdicts.length, 2);
});

test('a stalled subscriber has its overflow dropped and counted in-band; others are unaffected', async () => {
  const slow = subscribe(c, { namespaces: ['shell'], queue_size: 16 });
  slow.stream.pause();
  const fast = subscribe(c, { namespaces: ['shell'] });
  await new Promise((r) => setTimeout(r, 100));
  const b = batches('shell', 'shell', 11);
  const total = b.reduce((n, x) => n + x.length, 0);
  await ingest(c, b);
  await fast.waitFor((m) => m.filter((x) => x.event).length >= Math.min(total, 1024));
  slow.stream.resume();
  await slow.waitFor((m) => m.some((x) => x.dropped));
  const dropped = slow.messages.reduce((n, m) => n + Number(m.dropped?.count ?? 0), 0);
  assert.ok(dropped > 0);
  fast.cancel();
  slow.cancel();
});

test('bulk LineBlock batches: packed verdicts equal the per-event verdicts, errors are indexed', async () => {
  const { formatEventLine } = await import('../../exporter/sim/index.js');
  const evs = [...createScenario('cron-backup', { seed: 21, iterations: 1 }).events()];
  const lines = evs.map((e) => formatEventLine(e));
  lines.splice(3, 0, '{"event": {"process": "x", "type": "capable"}}');
  const stream = c.ingest.Stream(c.meta);
  const results: BatchResult__Output[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on(
      'data',
      (r: { result?: (typeof results)[number] }) => r.result && results.push(r.result)
    );
    stream.on('error', reject);
    stream.on('end', resolve);
    stream.write({
      batch: {
        batch_id: '1',
        lines: { namespace: 'bulk', kernel_lines: Buffer.from(lines.join('\n') + '\n\n') },
      },
    });
    stream.end();
  });
  const packed = results[0]!.packed!;
  assert.equal(packed.kinds.length, lines.length);
  assert.equal(verdictKindNumbers().name(packed.kinds[3]!), 'VERDICT_KIND_ERROR');
  assert.deepEqual(
    packed.errors.map((e) => e.index),
    [3]
  );
  assert.match(packed.errors[0]!.error, /field 'COE': missing/);
  // The same events one by one in a fresh namespace give the same kinds and coefficients.
  const [single] = await ingest(c, [evs.map((e) => toWire('bulk-twin', e))]);
  const kindsWithoutError = [...packed.kinds].filter((_, i) => i !== 3);
  const number: Record<string, number> = {
    VERDICT_KIND_LEARNED: 1,
    VERDICT_KIND_ON_CONTOUR: 2,
    VERDICT_KIND_LIFECYCLE: 6,
  };
  assert.deepEqual(
    kindsWithoutError,
    single!.verdicts.map((v) => number[v.kind])
  );
  const size = packed.digest_size;
  const coef = (i: number) =>
    packed.coefficients.subarray(i * size, (i + 1) * size).toString('hex');
  const skip = (i: number) => (i >= 3 ? i + 1 : i);
  single!.verdicts.forEach((v, i) =>
    assert.equal(
      coef(skip(i)),
      v.coefficient.length ? v.coefficient.toString('hex') : '00'.repeat(size)
    )
  );
  assert.equal((await info('bulk')).measurement, (await info('bulk-twin')).measurement);
});
