/**
 * Clients that survive: `tsem watch` reconnects and resumes without gaps while the engine still
 * holds the events, and reports a gap when it does not; `tsem export` resends across an engine
 * restart and an exporter killed mid-file resumes, each event counted once; an export whose events
 * were all rejected does not exit 0.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { createScenario, formatEventLine } from '../../exporter/sim/index.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { runCli } from '../helpers/cli.js';
import { summaryCounts } from '../helpers/cli-engine.js';
import { spawnTsem } from '../helpers/tsem-process.js';

const origin = { host: 'h', exporter: 'test' };
const D = (n: number) => n.toString(16).padStart(64, '0');
let file = 0;
const events = (n: number) =>
  Array.from({ length: n }, () => ({
    obj: sourceEvent(7, 'file_open', { file: fileCell(`/w/${file}`, D(file++)) }),
  }));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** A TCP relay to `port` that can cut its connections and refuse new ones (a network outage). */
async function relay(port: number) {
  let down = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = connect({ host: '127.0.0.1', port });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    cut() {
      down = true;
      for (const s of open) s.destroy();
    },
    restore() {
      down = false;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

async function until(
  cond: () => boolean,
  what: string | (() => string),
  ms = 15_000
): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('watch reconnects: no gap while the engine holds the events, a reported gap when it does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-watch-'));
  const port = await freePort();
  const opts = {
    listen: `127.0.0.1:${port}`,
    dataDir: dir,
    daemonRegistry: false as const,
    log: () => undefined,
  };
  let engine: RunningEngine = await startEngine(opts);
  const net = await relay(port);
  let out = '';
  let err = '';
  const { main } = await import('../../cli/main.js');
  const watching = main(
    [
      'watch',
      '--json',
      '--namespace',
      'w',
      '--count',
      '17',
      '--server',
      net.address,
      '--data',
      dir,
    ],
    { out: (t) => void (out += t), err: (t) => void (err += t) }
  );
  const seqs = () =>
    out
      .split('\n')
      .filter((l) => l)
      .map((l) => Number((JSON.parse(l) as { verdict: { seq: string } }).verdict.seq));
  try {
    // The subscription registers asynchronously: feed until the watch sees events.
    for (let i = 0; i < 50 && seqs().length === 0; i++) {
      await engine.submit('w', origin, events(1));
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = seqs().length;
    assert.ok(before > 0);
    const base = engine.registry.require('w').eventCount;
    // A network outage while the engine runs: what it publishes meanwhile is still held.
    net.cut();
    await until(() => /connection lost/.test(err), 'the watch to notice');
    await engine.submit('w', origin, events(5));
    net.restore();
    await until(() => seqs().length >= before + 5, 'the held events after reconnecting');
    assert.match(err, /reconnected; resuming/);
    assert.doesNotMatch(err, /gap/);
    // The engine restarts: what it persisted while the watch was away is no longer held.
    net.cut();
    await until(() => (err.match(/connection lost/g) ?? []).length >= 2, 'the second loss');
    await engine.submit('w', origin, events(3));
    await engine.stop();
    engine = await startEngine(opts);
    const remaining = 17 - seqs().length;
    await engine.submit('w', origin, events(remaining));
    net.restore();
    assert.equal(await watching, 0);
    const got = seqs();
    assert.deepEqual(
      got.slice(-(5 + remaining)),
      [
        ...Array.from({ length: 5 }, (_, i) => base + 1 + i),
        ...Array.from({ length: remaining }, (_, i) => base + 9 + i),
      ],
      'resumed in order, nothing seen twice'
    );
    assert.match(err, new RegExp(`gap: events ${base + 6}-${base + 8} of namespace w `));
  } finally {
    await net.close();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export resends across an engine restart and after being killed: each event counted once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-retry-'));
  const port = await freePort();
  const opts = {
    listen: `127.0.0.1:${port}`,
    dataDir: dir,
    daemonRegistry: false as const,
    log: () => undefined,
  };
  let engine: RunningEngine = await startEngine(opts);
  const trajectory = join(dir, 'big.trajectory');
  const sc = createScenario('nginx', { seed: 1, iterations: 12 });
  const lines = [...sc.events()].map((e) => formatEventLine(e) + '\n');
  writeFileSync(trajectory, lines.join(''));
  const args = [
    'export',
    '--source',
    'file',
    trajectory,
    '--namespace',
    'r',
    '--rate',
    '1000',
    '--batch',
    '64',
    '--to',
    `127.0.0.1:${port}`,
    '--data',
    dir,
    '--state',
    join(dir, 'state'),
  ];
  const count = () => engine.registry.get('r')?.eventCount ?? 0;
  try {
    // Killed mid-file.
    const first = spawnTsem(args);
    await until(
      () => count() > lines.length / 4,
      () => `a quarter acknowledged: ${count()} of ${lines.length}; ${first.err()}`
    );
    first.kill('SIGKILL');
    await first.exited;
    // Started again: it resumes; meanwhile the engine restarts under it.
    const second = spawnTsem(args);
    await second.waitFor(/resuming .* after event \d+/);
    await until(() => count() > lines.length / 2, 'half acknowledged');
    assert.equal(second.child.exitCode, null, 'the export still runs');
    await engine.stop();
    engine = await startEngine(opts);
    const { code } = await second.exited;
    assert.equal(code, 0, second.err());
    assert.match(second.err(), /reconnecting in/);
    assert.equal(count(), lines.length, 'every event applied exactly once');
    const s = summaryCounts(second.out());
    assert.equal(s['acked'], s['sent']);
    // A finished run is forgotten: replaying the file again is a new run, counted again.
    const third = await runCli(...args, '--retry-for', '0');
    assert.equal(third.code, 0, third.err);
    assert.equal(count(), 2 * lines.length);
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an export whose every event is rejected exits 1 (not 0)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-rejected-'));
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    daemonRegistry: false,
    log: () => undefined,
  });
  try {
    const bad = join(dir, 'bad.trajectory');
    writeFileSync(bad, '{"event": "not an event"}\n{"also": "bad"}\n');
    const r = await runCli(
      'export',
      '--source',
      'file',
      bad,
      '--to',
      engine.address,
      '--data',
      dir,
      '--state',
      join(dir, 's')
    );
    assert.equal(r.code, 1, r.err);
    const s = summaryCounts(r.out);
    assert.deepEqual([s['acked'], s['errors']], [2, 2]);
    assert.match(r.err, /rejected: event 0: /);
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
