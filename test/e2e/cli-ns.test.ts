/** `tsem ns …` and `tsem model export|load` end to end against a real engine. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { type CliEngine, showFields, startCliEngine } from '../helpers/cli-engine.js';

let e: CliEngine;
before(async () => {
  e = await startCliEngine();
  await e.ok(
    'export',
    '--source',
    'sim',
    '--scenario',
    'cron-backup',
    '--seed',
    '5',
    '--to',
    e.engine.address,
    '--data',
    e.dir,
    '--namespace',
    'cron'
  );
});
after(() => e.close());

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

test('ns create with options, then show and list report them', async () => {
  const created = showFields(
    await e.ok('ns', 'create', 'db', '--mode', 'audit', '--digest', 'sha384', ...e.conn)
  );
  assert.equal(created.get('mode'), 'audit');
  assert.equal(created.get('digest'), 'sha384');
  assert.equal(created.get('measurement')?.length, 96); // sha384: 48 bytes of hex
  assert.equal(created.get('events'), '0');
  const list = lines(await e.ok('ns', 'list', ...e.conn));
  assert.match(list[0]!, /^NAME\s+MODE\s+DIGEST\s+EVENTS\s+POINTS/);
  assert.ok(
    list.some((l) => /^db\s+audit\s+sha384\s+0\s+0\s/.test(l)),
    list.join('\n')
  );
});

test('ns mode: sealed, with seal accepted; an unknown word is a usage error', async () => {
  await e.ok('ns', 'create', 'm', ...e.conn);
  assert.equal(await e.ok('ns', 'mode', 'm', 'seal', ...e.conn), 'namespace m: mode sealed\n');
  assert.equal(await e.ok('ns', 'mode', 'm', 'sealed', ...e.conn), 'namespace m: mode sealed\n');
  assert.equal(showFields(await e.ok('ns', 'show', 'm', ...e.conn)).get('mode'), 'sealed');
  assert.equal(await e.ok('ns', 'mode', 'm', 'enforce', ...e.conn), 'namespace m: mode enforce\n');
  const r = await runCli('ns', 'mode', 'm', 'strict', ...e.conn);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /expects one of learn\|audit\|sealed\|enforce \(seal = sealed\), got 'strict'/
  );
  const created = JSON.parse(
    await e.ok('ns', 'create', 'm2', '--mode', 'seal', '--json', ...e.conn)
  ) as { mode: string };
  assert.equal(created.mode, 'sealed');
});

test('ns points and ns trajectory agree with ns show; pages cut the same lines', async () => {
  const show = showFields(await e.ok('ns', 'show', 'cron', ...e.conn));
  const points = lines(await e.ok('ns', 'points', 'cron', ...e.conn));
  assert.equal(points.length, Number(show.get('points')));
  for (const p of points) assert.match(p, /^[0-9a-f]{64} \d+$/);
  const r = await runCli('ns', 'trajectory', 'cron', '--lines', ...e.conn);
  const all = lines(r.out);
  assert.equal(all.length, Number(show.get('trajectory')));
  assert.equal(r.err, `(trajectory 1-${all.length} of ${all.length})\n`);
  for (const l of all)
    assert.equal(typeof (JSON.parse(l) as { event: { type: string } }).event.type, 'string');
  const page = await runCli(
    'ns',
    'trajectory',
    'cron',
    '--lines',
    '--offset',
    '2',
    '--limit',
    '3',
    ...e.conn
  );
  assert.deepEqual(lines(page.out), all.slice(2, 5));
  assert.equal(page.err, `(trajectory 3-5 of ${all.length})\n`);
  // The table pairs each event with its coefficient and count, as the points list has them.
  const table = lines(await e.ok('ns', 'trajectory', 'cron', ...e.conn));
  const counts = new Map(points.map((l) => l.split(' ') as [string, string]));
  assert.equal(table.length, all.length);
  for (const [i, row] of table.entries()) {
    const [hex, count, type] = row.split(' ');
    assert.equal(counts.get(hex!), count);
    assert.equal(type, (JSON.parse(all[i]!) as { event: { type: string } }).event.type);
  }
  // --json: only JSON lines, the last one the summary.
  const json = lines(await e.ok('ns', 'trajectory', 'cron', '--json', ...e.conn)).map(
    (l) => JSON.parse(l) as Record<string, unknown>
  );
  assert.deepEqual(json.at(-1), {
    summary: { trajectory: all.length, offset: 0, returned: all.length },
  });
  assert.equal(json.length, all.length + 1);
});

test('ns convergence prints its windows and whether the map settled', async () => {
  const out = await e.ok('ns', 'convergence', 'cron', ...e.conn);
  const rows = lines(out);
  assert.match(rows[0]!, /^EVENTS-END\s+EVENTS\s+NEW-POINTS$/);
  assert.match(rows.at(-1)!, /^settled: (yes|no) \(window \d+ events; mode learn\)$/);
  const windows = rows.slice(1, -1).map((r) => r.split(/\s+/).map(Number));
  assert.ok(windows.length > 0);
  const show = showFields(await e.ok('ns', 'show', 'cron', ...e.conn));
  // The windows cover every event, and their new points add up to the map's points.
  assert.equal(
    windows.reduce((n, w) => n + w[1]!, 0),
    Number(show.get('events'))
  );
  assert.equal(
    windows.reduce((n, w) => n + w[2]!, 0),
    Number(show.get('points'))
  );
});

test('model export then model load --create reproduces the measurement and points', async () => {
  const file = join(e.dir, 'cron.model');
  assert.equal(await e.ok('model', 'export', '--namespace', 'cron', '-o', file, ...e.conn), '');
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^aggregate [0-9a-f]{64}$/m);
  const loaded = await e.ok(
    'model',
    'load',
    file,
    '--namespace',
    'cron-copy',
    '--create',
    ...e.conn
  );
  const src = showFields(await e.ok('ns', 'show', 'cron', ...e.conn));
  const copy = showFields(await e.ok('ns', 'show', 'cron-copy', ...e.conn));
  assert.equal(
    loaded,
    `loaded ${file} into namespace cron-copy: points ${src.get('points')} measurement ${copy.get('measurement')}\n`
  );
  assert.equal(copy.get('points'), src.get('points'));
  assert.equal(copy.get('measurement'), src.get('measurement'));
  assert.equal(copy.get('state'), src.get('state'));
  // Without --create a missing namespace is an error, reported in one line.
  const r = await runCli('model', 'load', file, '--namespace', 'absent', ...e.conn);
  assert.equal(r.code, 65);
  assert.equal(lines(r.err).length, 1);
  assert.match(r.err, /^tsem model load: .*absent/);
});

test('ns delete removes it; showing it afterwards is NOT_FOUND in one line', async () => {
  await e.ok('ns', 'create', 'gone', ...e.conn);
  assert.equal(await e.ok('ns', 'delete', 'gone', ...e.conn), 'deleted namespace gone\n');
  assert.ok(!lines(await e.ok('ns', 'list', ...e.conn)).some((l) => l.startsWith('gone ')));
  const r = await runCli('ns', 'show', 'gone', ...e.conn);
  assert.equal(r.code, 65);
  assert.match(r.err, /^tsem ns show: 127\.0\.0\.1:\d+: NOT_FOUND: .*gone.*\n$/);
});

test('tokens: none or a wrong one is refused with a hint about --token-file; TSEM_TOKEN is used', async () => {
  const server = ['--server', e.engine.address];
  const anon = await runCli('ns', 'create', 'x', ...server, '--data', join(e.dir, 'no-such-dir'));
  assert.equal(anon.code, 77);
  assert.match(anon.err, /--token-file/);
  const wrongFile = join(e.dir, 'wrong-token');
  writeFileSync(wrongFile, 'not-the-token\n');
  const wrong = await runCli('ns', 'create', 'x', ...server, '--token-file', wrongFile);
  assert.equal(wrong.code, 77);
  assert.match(
    wrong.err,
    /^tsem ns create: 127\.0\.0\.1:\d+ refused the call: .*check --token-file or TSEM_TOKEN\)\n$/
  );
  process.env['TSEM_TOKEN'] = e.engine.adminToken;
  try {
    assert.equal(
      showFields(
        await e.ok('ns', 'create', 'x', ...server, '--data', join(e.dir, 'no-such-dir'))
      ).get('name'),
      'x'
    );
  } finally {
    delete process.env['TSEM_TOKEN'];
  }
});

test('model export needs --namespace (usage error)', async () => {
  const r = await runCli('model', 'export', ...e.conn);
  assert.equal(r.code, 2);
  assert.match(r.err, /--namespace NS is required/);
});
