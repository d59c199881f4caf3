/**
 * The engine attacked through its own inputs, over real sockets: each test reproduces one finding
 * of the hostile-input review and fails on the code before its fix.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createLog } from '../../common/log.js';
import { tokenDigest } from '../../engine/server/auth.js';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import type { BatchResult__Output } from '../../proto/gen/tsem/v1/BatchResult.js';
import type { NamespaceInfo__Output } from '../../proto/gen/tsem/v1/NamespaceInfo.js';
import { call, type Clients, clients, ingest, subscribe, toWire } from '../helpers/grpc.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { vectorPath } from '../helpers/repo.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-hostile-'));
let engine: RunningEngine;
let c: Clients;
let admin: Clients;
const logged: string[] = [];

const RAW_LINE = readFileSync(vectorPath('tsem/raw-control-bytes/event.jsonl')).subarray(0, -1);
const TV3_COEFFICIENT = 'ef43761ef6aa1861993fb4f7b16bddb6874aca1e7bf221318756b8487eab8143';

before(async () => {
  engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    // The text form, as people read it at a terminal (where a forged line would pass as real).
    log: createLog('tsem', (s) => void logged.push(s), { format: 'text' }),
  });
  c = clients(engine.address);
  admin = clients(engine.address, engine.adminToken);
});
after(async () => {
  c.close();
  admin.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw kernel lines (one event each) on one Ingest stream. */
function sendLines(cl: Clients, ns: string, lines: Buffer[]): Promise<BatchResult__Output> {
  return new Promise((resolve, reject) => {
    const stream = cl.ingest.Stream(cl.meta);
    let result: BatchResult__Output | undefined;
    stream.on('data', (r: { result?: BatchResult__Output }) => (result ??= r.result));
    stream.on('error', reject);
    stream.on('end', () => (result ? resolve(result) : reject(new Error('no result'))));
    stream.write({
      batch: {
        batch_id: '1',
        events: lines.map((kernel_json) => ({ namespace: ns, kernel_json })),
      },
    });
    stream.end();
  });
}

async function enforcing(name: string, mode = 'MODE_ENFORCE'): Promise<void> {
  await call(admin, 'CreateNamespace', { name });
  await call(admin, 'LoadModel', { name, model: `state ${TV3_COEFFICIENT}\nend\n` });
  await call(admin, 'SetMode', { name, mode });
}

test('detection bypass: a raw-control-byte line off contour in enforce is denied and alerted', async () => {
  await enforcing('rawctl');
  const watch = subscribe(c, { namespaces: ['rawctl'], off_contour_only: true });
  await new Promise((r) => setTimeout(r, 100));
  const r = await sendLines(c, 'rawctl', [RAW_LINE]);
  const v = r.verdicts[0]!;
  assert.equal(v.kind, 'VERDICT_KIND_OFF_CONTOUR', v.error);
  assert.equal(v.action, 'ACTION_DENY');
  await watch.waitFor((m) => m.some((x) => x.event?.alert));
  watch.cancel();
  const info = await call<NamespaceInfo__Output>(c, 'GetNamespace', { name: 'rawctl' });
  assert.equal(info.forensics_length, '1');
  assert.equal(info.untrusted_tasks, '1');
});

test('a line that is not JSON even leniently: enforce denies and alerts, sealed alerts, never ALLOW', async () => {
  await enforcing('garbage-enforce');
  await enforcing('garbage-sealed', 'MODE_SEALED');
  const garbage = Buffer.from('{"event": {"type": "file_open", \x01nope\n\x1b[31m');
  const watch = subscribe(c, { off_contour_only: true, namespaces: ['garbage-enforce'] });
  await new Promise((r) => setTimeout(r, 100));
  const e = (await sendLines(c, 'garbage-enforce', [garbage])).verdicts[0]!;
  assert.equal(e.kind, 'VERDICT_KIND_ERROR');
  assert.equal(e.action, 'ACTION_DENY');
  assert.doesNotMatch(e.error, /[\x00-\x1f]/, 'the error quotes the input escaped');
  await watch.waitFor((m) =>
    m.some((x) => x.event?.alert && x.event.verdict?.kind === 'VERDICT_KIND_ERROR')
  );
  watch.cancel();
  const s = (await sendLines(c, 'garbage-sealed', [garbage])).verdicts[0]!;
  assert.equal(s.kind, 'VERDICT_KIND_ERROR');
  assert.notEqual(s.action, 'ACTION_ALLOW');
  for (const name of ['garbage-enforce', 'garbage-sealed']) {
    const ns = engine.registry.require(name);
    assert.equal(ns.rejectedCount, 1, `${name} keeps the line as evidence`);
    assert.match(ns.rejected()[0]!.line, /\\x01nope/);
  }
});

const ZERO = '0'.repeat(64);

test(
  'freeze: a backtracking-hostile process glob completes and the server keeps answering',
  {
    timeout: 60_000,
  },
  async () => {
    const pattern = `${'*a'.repeat(20)}*b`;
    const watch = subscribe(c, { namespaces: ['glob'], process_patterns: [pattern] });
    const other = subscribe(c, { namespaces: ['glob'] });
    await new Promise((r) => setTimeout(r, 100));
    const e = sourceEvent(
      7,
      'file_open',
      { file: fileCell('/bin/x', ZERO) },
      {
        process: 'a'.repeat(40),
      }
    );
    const [r] = await ingest(c, [[toWire('glob', e)]]);
    assert.equal(r!.verdicts[0]!.kind, 'VERDICT_KIND_LEARNED');
    await other.waitFor((m) => m.length > 0);
    const info = await call<NamespaceInfo__Output>(c, 'GetNamespace', { name: 'glob' });
    assert.equal(info.events, '1');
    assert.equal(watch.messages.length, 0, 'no b: no match');
    watch.cancel();
    other.cancel();
  }
);

test('log injection: a namespace name with newlines cannot forge a server log line', async () => {
  const before = logged.length;
  const e = sourceEvent(8, 'file_open', { file: fileCell('/bin/x', ZERO) });
  const [r] = await ingest(c, [
    [toWire('x\n2026-01-01T00:00:00.000Z tsem admin token accepted', e)],
  ]);
  assert.equal(r!.verdicts[0]!.kind, 'VERDICT_KIND_ERROR');
  const fresh = logged.slice(before);
  assert.ok(fresh.length > 0, 'the rejected namespace is logged');
  for (const l of fresh) assert.equal(l.indexOf('\n'), l.length - 1, `one line: ${l}`);
  assert.ok(
    fresh.some((l) => l.includes('x\\n2026-01-01')),
    `the name shows escaped: ${fresh.join('')}`
  );
});

test('anonymous by omission: an identities file without "anonymous" refuses callers without credentials', async () => {
  const d = mkdtempSync(join(tmpdir(), 'tsem-auth-'));
  const ids = join(d, 'ids.json');
  writeFileSync(
    ids,
    JSON.stringify({
      identities: [
        {
          name: 'web-watch',
          token_sha256: tokenDigest('w'),
          roles: ['viewer'],
          namespaces: ['web'],
        },
      ],
    })
  );
  const e = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(d, 'data'),
    authFile: ids,
    log: () => undefined,
  });
  const anon = clients(e.address);
  const root = clients(e.address, e.adminToken);
  try {
    await call(root, 'CreateNamespace', { name: 'db', mode: 'MODE_ENFORCE' });
    for (const [method, req] of [
      ['GetForensics', { name: 'db' }],
      ['GetImaLog', { name: 'db' }],
      ['Attest', { name: 'db', nonce: '00'.repeat(16) }],
      ['ListNamespaces', {}],
    ] as const) {
      await assert.rejects(call(anon, method, req), { code: 16 }, method);
    }
    const [r] = await ingest(anon, [
      [toWire('db', sourceEvent(1, 'file_open', { file: fileCell('/x', ZERO) }))],
    ]).then(
      (x) => x,
      (err: { code: number }) => [err]
    );
    assert.equal(
      (r as { code?: number }).code,
      16,
      'no anonymous writes into an enforce namespace'
    );
    assert.equal(e.registry.require('db').eventCount, 0);
  } finally {
    anon.close();
    root.close();
    await e.stop();
    rmSync(d, { recursive: true, force: true });
  }
});

test('off loopback without TLS the server refuses to start unless --insecure', async () => {
  const d = mkdtempSync(join(tmpdir(), 'tsem-insecure-'));
  try {
    await assert.rejects(
      startEngine({ listen: '0.0.0.0:0', dataDir: d, log: () => undefined }),
      /refusing to listen on 0\.0\.0\.0:0 without TLS/
    );
    const e = await startEngine({
      listen: '0.0.0.0:0',
      dataDir: d,
      insecure: true,
      log: () => undefined,
    });
    await e.stop();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

/** Sends events on one Ingest stream whose hello claims `host`. */
function sendAs(cl: Clients, host: string, events: ReturnType<typeof toWire>[]) {
  return new Promise<BatchResult__Output>((resolve, reject) => {
    const stream = cl.ingest.Stream(cl.meta);
    let result: BatchResult__Output | undefined;
    stream.on('data', (r: { result?: BatchResult__Output }) => (result ??= r.result));
    stream.on('error', reject);
    stream.on('end', () => (result ? resolve(result) : reject(new Error('no result'))));
    stream.write({ hello: { exporter: 'test', host } });
    stream.write({ batch: { batch_id: '1', events } });
    stream.end();
  });
}

test('cross-host taint: the same pid on two hosts is two tasks; a reused pid is a new task', async () => {
  const nginx = (pid: number, start?: string) => {
    const e = sourceEvent(
      pid,
      'file_open',
      { file: fileCell('/usr/share/nginx/index.html', ZERO) },
      {
        process: 'nginx',
      }
    );
    return toWire('xhost', start ? { ...e, event: { ...e.event, start } } : e);
  };
  const shell = (pid: number, start?: string) => {
    const e = sourceEvent(pid, 'file_open', { file: fileCell('/bin/sh', ZERO) }, { process: 'sh' });
    return toWire('xhost', start ? { ...e, event: { ...e.event, start } } : e);
  };
  await call(admin, 'CreateNamespace', { name: 'xhost' });
  assert.equal((await sendAs(c, 'node-b', [nginx(100)])).verdicts[0]!.kind, 'VERDICT_KIND_LEARNED');
  await call(admin, 'SetMode', { name: 'xhost', mode: 'MODE_ENFORCE' });
  const attack = (await sendAs(c, 'node-a', [shell(100)])).verdicts[0]!;
  assert.deepEqual([attack.kind, attack.action], ['VERDICT_KIND_OFF_CONTOUR', 'ACTION_DENY']);
  const benign = (await sendAs(c, 'node-b', [nginx(100)])).verdicts[0]!;
  assert.deepEqual([benign.kind, benign.action], ['VERDICT_KIND_ON_CONTOUR', 'ACTION_ALLOW']);
  // Pid reuse on one host: another start time is another process.
  assert.equal(
    (await sendAs(c, 'node-b', [shell(200, '1000')])).verdicts[0]!.action,
    'ACTION_DENY'
  );
  assert.equal(
    (await sendAs(c, 'node-b', [nginx(200, '1000')])).verdicts[0]!.kind,
    'VERDICT_KIND_UNTRUSTED_TASK'
  );
  const reused = (await sendAs(c, 'node-b', [nginx(200, '5000')])).verdicts[0]!;
  assert.deepEqual([reused.kind, reused.action], ['VERDICT_KIND_ON_CONTOUR', 'ACTION_ALLOW']);
  const ns = engine.registry.require('xhost');
  assert.equal(ns.task('anonymous@node-a|pid:100')?.trust, 'untrusted');
  assert.equal(ns.task('anonymous@node-b|pid:100')?.trust, 'trusted');
});

test('an exporter identity may only claim its own host', async () => {
  const d = mkdtempSync(join(tmpdir(), 'tsem-hosts-'));
  const ids = join(d, 'ids.json');
  writeFileSync(
    ids,
    JSON.stringify({
      identities: [{ name: 'node-b', token_sha256: tokenDigest('b'), roles: ['exporter'] }],
    })
  );
  const e = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(d, 'data'),
    authFile: ids,
    log: () => undefined,
  });
  const b = clients(e.address, 'b');
  try {
    const ev = toWire('web', sourceEvent(1, 'file_open', { file: fileCell('/x', ZERO) }));
    assert.equal((await sendAs(b, 'node-b', [ev])).verdicts[0]!.kind, 'VERDICT_KIND_LEARNED');
    await assert.rejects(sendAs(b, 'node-a', [ev]), { code: 7 });
    const spoof = (await sendAs(b, 'node-b', [{ ...ev, host: 'node-a' }])).verdicts[0]!;
    assert.equal(spoof.kind, 'VERDICT_KIND_ERROR');
    assert.match(spoof.error, /may not send events for host 'node-a'/);
  } finally {
    b.close();
    await e.stop();
    rmSync(d, { recursive: true, force: true });
  }
});

test('store edited offline: refused at start', async () => {
  const d = mkdtempSync(join(tmpdir(), 'tsem-offline-'));
  const opts = {
    listen: '127.0.0.1:0',
    dataDir: join(d, 'data'),
    storeKeyFile: join(d, 'key', 'store.key'),
    log: () => undefined,
  };
  try {
    const first = await startEngine(opts);
    const root = clients(first.address, first.adminToken);
    await call(root, 'CreateNamespace', { name: 'web', mode: 'MODE_ENFORCE' });
    root.close();
    await first.stop();
    const { Level } = await import('level');
    const db = new Level<string, unknown>(join(d, 'data', 'store'), { valueEncoding: 'json' });
    const meta = db.sublevel<string, { config: { mode: string } }>('meta', {
      valueEncoding: 'json',
    });
    const m = (await meta.get('web'))!;
    m.config.mode = 'learn';
    await meta.put('web', m);
    await db.close();
    await assert.rejects(startEngine(opts), /namespace web .* was changed outside the engine/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
