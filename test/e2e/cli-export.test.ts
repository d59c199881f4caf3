/** `tsem export` end to end: sim and file sources into a real engine over loopback gRPC. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as fx from '../../exporter/audit/audit-log-fixture.js';
import { createScenario, formatEventLine, listScenarios } from '../../exporter/sim/index.js';
import { createSource } from '../../exporter/sources.js';
import { runCli } from '../helpers/cli.js';
import {
  type CliEngine,
  showFields,
  startCliEngine,
  summaryCounts,
} from '../helpers/cli-engine.js';

let e: CliEngine;
before(async () => {
  e = await startCliEngine();
});
after(() => e.close());

const exportSim = (ns: string, scenario: string, seed: number, ...extra: string[]) =>
  e.ok(
    'export',
    '--source',
    'sim',
    '--scenario',
    scenario,
    '--seed',
    String(seed),
    '--to',
    e.engine.address,
    '--data',
    e.dir,
    '--namespace',
    ns,
    ...extra
  );

/** A TCP port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test('sim export in learn mode: every event acknowledged, learned points = the namespace points', async () => {
  const events = [...createScenario('nginx', { seed: 1, iterations: 1 }).events()].length;
  const s = summaryCounts(await exportSim('web', 'nginx', 1, '--batch', '100'));
  assert.equal(s['sent'], events);
  assert.equal(s['acked'], events);
  assert.equal(s['errors'], 0);
  assert.equal(s['off-contour'], 0);
  const show = showFields(await e.ok('ns', 'show', 'web', ...e.conn));
  assert.equal(Number(show.get('points')), s['learned']);
  assert.equal(Number(show.get('events')), events);
});

test('audit mode: an attack run is off-contour exactly at its malicious events (exit 1)', async () => {
  await exportSim('shop', 'nginx', 1);
  await e.ok('ns', 'mode', 'shop', 'audit', ...e.conn);
  const attack = createScenario('reverse-shell', { seed: 2, iterations: 1 });
  const r = await runCli(
    'export',
    '--source',
    'sim',
    '--scenario',
    'reverse-shell',
    '--seed',
    '2',
    '--to',
    e.engine.address,
    '--data',
    e.dir,
    '--namespace',
    'shop'
  );
  assert.equal(r.code, 1, 'the run found something');
  const s = summaryCounts(r.out);
  assert.equal(s['sent'], [...attack.events()].length);
  assert.equal(s['off-contour'], attack.attackIndices.size);
  assert.ok(attack.attackIndices.size > 0);
  assert.equal(s['learned'], 0);
  assert.equal(s['denied'], 0);
});

test('file export (raw kernel lines) and sim export (structured) give the same measurement', async () => {
  const sc = createScenario('shell', { seed: 3, iterations: 2 });
  const file = join(e.dir, 'shell.trajectory');
  writeFileSync(file, [...sc.events()].map((ev) => formatEventLine(ev) + '\n').join(''));
  const viaFile = summaryCounts(
    await e.ok(
      'export',
      '--source',
      'file',
      file,
      '--to',
      e.engine.address,
      '--data',
      e.dir,
      '--namespace',
      'as-file'
    )
  );
  const viaSim = summaryCounts(
    await e.ok(
      'export',
      '--source',
      'sim',
      '--scenario',
      'shell',
      '--seed',
      '3',
      '--iterations',
      '2',
      '--to',
      e.engine.address,
      '--data',
      e.dir,
      '--namespace',
      'as-sim'
    )
  );
  assert.deepEqual(viaFile, viaSim);
  const a = showFields(await e.ok('ns', 'show', 'as-file', ...e.conn));
  const b = showFields(await e.ok('ns', 'show', 'as-sim', ...e.conn));
  for (const k of ['measurement', 'state', 'points', 'events']) assert.equal(a.get(k), b.get(k), k);
});

test('--scenario list prints every scenario; an unknown one prints the list and exits 2', async () => {
  const listed = await e.ok('export', '--source', 'sim', '--scenario', 'list');
  for (const s of listScenarios()) assert.match(listed, new RegExp(`^  ${s.name} `, 'm'));
  const r = await runCli(
    'export',
    '--source',
    'sim',
    '--scenario',
    'nope',
    '--to',
    e.engine.address
  );
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown scenario 'nope'/);
  assert.match(r.err, /reverse-shell/);
});

test('bad arguments are usage errors (exit 2)', async () => {
  for (const argv of [
    ['export', '--source', 'sim', '--scenario', 'nginx', '--batch', '5000'],
    ['export', '--scenario', 'nginx'],
    ['export', '--source', 'file'],
    ['export', '--source', 'sim', '--scenario', 'nginx', '--seed', '4294967296'],
    ['export', '--source', 'sim', '--scenario', 'nginx', '--watch', '/tmp'],
    ['export', '--source', 'file', 'x.trajectory', '--seed', '3'],
    ['export', '--source', 'fanotify', '--watch', '/tmp', '--fail-open', '--fail-closed'],
  ]) {
    const r = await runCli(...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
  }
});

test('an unreadable trajectory file is one line naming it, exit 74 (I/O error)', async () => {
  const missing = join(e.dir, 'missing.trajectory');
  const r = await runCli('export', '--source', 'file', missing, '--to', e.engine.address);
  assert.equal(r.code, 74);
  assert.equal(r.err, `tsem export: cannot read trajectory file '${missing}': ENOENT\n`);
});

test('no server at the address (no retries): one line saying so, exit 69 (unavailable)', async () => {
  const port = await closedPort();
  const r = await runCli(
    'export',
    '--source',
    'sim',
    '--scenario',
    'shell',
    '--to',
    `127.0.0.1:${port}`,
    '--retry-for',
    '0'
  );
  assert.equal(r.code, 69);
  assert.match(
    r.err,
    new RegExp(
      `^tsem export: cannot connect to 127\\.0\\.0\\.1:${port}: .*\\(is \`tsem serve\` running\\?\\)\\n$`
    )
  );
  assert.match(r.out, /^sent \d+ acked 0 /);
});

test('audit-log export: every event the source reads reaches the namespace', async () => {
  const log = join(e.dir, 'audit.log');
  writeFileSync(log, [...fx.EXECVE_LS, ...fx.CONNECT_INET, ...fx.OPENAT_CREATE].join('\n') + '\n');
  // The events the source yields, read directly, are what the export must deliver.
  const source = createSource('audit-log', { logFile: log, namespace: 'host:audited' });
  await source.start();
  let expected = 0;
  for await (const ev of source) {
    assert.equal(ev.namespace, 'audited');
    expected++;
  }
  assert.ok(expected > 0);
  const s = summaryCounts(
    await e.ok(
      'export',
      '--source',
      'audit-log',
      log,
      '--namespace',
      'audited',
      '--to',
      e.engine.address,
      '--data',
      e.dir
    )
  );
  assert.equal(s['sent'], expected);
  assert.equal(s['acked'], expected);
  assert.equal(s['errors'], 0);
  assert.equal(
    Number(showFields(await e.ok('ns', 'show', 'audited', ...e.conn)).get('events')),
    expected
  );
});

test('Ctrl-C during a paced export stops reading; what was sent is acknowledged (exit 0)', async () => {
  const total = [...createScenario('nginx', { seed: 4, iterations: 1 }).events()].length;
  const running = runCli(
    'export',
    '--source',
    'sim',
    '--scenario',
    'nginx',
    '--seed',
    '4',
    '--rate',
    '200',
    '--to',
    e.engine.address,
    '--data',
    e.dir,
    '--namespace',
    'paced'
  );
  let done = false;
  void running.finally(() => (done = true));
  // The handler is installed once the export starts sending: interrupt until it has been seen.
  await new Promise((r) => setTimeout(r, 100));
  while (!done) {
    process.emit('SIGINT');
    await new Promise((r) => setTimeout(r, 50));
  }
  const r = await running;
  assert.equal(r.code, 0, r.err);
  const s = summaryCounts(r.out);
  assert.equal(s['acked'], s['sent']);
  assert.ok(s['sent']! > 0 && s['sent']! < total, `sent ${s['sent']} of ${total}`);
});
