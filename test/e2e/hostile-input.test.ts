/**
 * The engine attacked through its own inputs, over real sockets: each test reproduces one finding
 * of the hostile-input review and fails on the code before its fix.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createLog } from '../../common/log.js';
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
    log: createLog('tsem', (s) => void logged.push(s)),
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
  assert.ok(fresh.some((l) => l.includes('x\\n2026-01-01')));
});
