/**
 * The author's commands one by one against a real engine: points with descriptions, accept
 * --all, findings as a model, merge/show/diff/prune/pseudonym on model files, convergence windows
 * and auto-sealing with its alert, and descriptions that survive a restart.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEngine } from '../../daemon/start-engine.js';
import { runCli } from '../helpers/cli.js';
import { type CliEngine, showFields, startCliEngine } from '../helpers/cli-engine.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { clients, subscribe, toWire, ingest } from '../helpers/grpc.js';

let e: CliEngine;
const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const json = (s: string) => lines(s).map((l) => JSON.parse(l) as Record<string, unknown>);
const open = (pid: number, path: string, process = 'app') =>
  JSON.stringify(
    sourceEvent(pid, 'file_open', { file: fileCell(path, 'ab'.repeat(32)) }, { process })
  );

before(async () => {
  e = await startCliEngine();
});
after(() => e.close());

/** Exports a file; exit 1 exactly when the export found off-contour or denied events (export's
 * exit statuses), never for a rejected one. */
async function exportFile(file: string, ns: string): Promise<string> {
  const r = await runCli('export', '--source', 'file', file, '--namespace', ns, ...e.conn);
  const n = (what: string) => Number(new RegExp(`\\b${what} (\\d+)`).exec(r.out)?.[1] ?? NaN);
  assert.equal(n('errors'), 0, r.out + r.err);
  assert.equal(r.code, n('off-contour') + n('denied') > 0 ? 1 : 0, r.out + r.err);
  return r.out;
}

async function send(ns: string, body: string[]): Promise<string> {
  const f = join(e.dir, `${ns}-${Math.random().toString(16).slice(2)}.jsonl`);
  writeFileSync(f, body.join('\n') + '\n');
  return exportFile(f, ns);
}

test('points with descriptions; accept --all takes findings and forensics; unknown ones are refused', async () => {
  await send('pts', [open(1, '/etc/hosts', 'nginx'), open(1, '/etc/passwd', 'nginx')]);
  const described = json(await e.ok('ns', 'points', 'pts', '--describe', '--json', ...e.conn));
  assert.equal(described.length, 3);
  const first = described[0] as {
    status: string;
    count: number;
    first_seen: string;
    description: { process: string };
  };
  assert.deepEqual([first.status, first.count, first.description.process], ['valid', 1, 'nginx']);
  assert.ok(Date.parse(first.first_seen) > Date.parse('2020-01-01'));
  assert.deepEqual(described[2], { summary: { points: 2, printed: 2, valid: 2, forensic: 0 } });
  assert.match(
    await e.ok('ns', 'points', 'pts', '--describe', ...e.conn),
    /^[0-9a-f]{64} valid 1 file_open nginx \/etc\/hosts$/m
  );
  await e.ok('ns', 'mode', 'pts', 'audit', ...e.conn);
  await send('pts', [open(2, '/etc/shadow', 'nginx')]);
  await e.ok('ns', 'mode', 'pts', 'seal', ...e.conn);
  await send('pts', [open(3, '/root/.ssh/id_rsa', 'nginx')]);
  assert.equal(
    lines(await e.ok('ns', 'points', 'pts', '--filter', 'forensic', ...e.conn)).length,
    1
  );
  const bad = await runCli('ns', 'accept', 'pts', 'ff'.repeat(32), ...e.conn);
  assert.equal(bad.code, 65);
  assert.match(bad.err, /namespace pts has no point or finding f{64}/);
  assert.equal((await runCli('ns', 'accept', 'pts', 'xyz', ...e.conn)).code, 65);
  assert.equal((await runCli('ns', 'accept', 'pts', ...e.conn)).code, 2);
  const all = json(await e.ok('ns', 'accept', 'pts', '--all', '--json', ...e.conn));
  assert.deepEqual(
    all.slice(0, -1).map((a) => a['was']),
    ['finding', 'forensic']
  );
  assert.deepEqual(
    (all.at(-1) as { summary: Record<string, unknown> }).summary['forensic_points'],
    0
  );
  assert.match(await send('pts', [open(4, '/etc/shadow', 'nginx')]), /on-contour 1 /);
});

test('findings as a model; merge of three models; show and diff print descriptions', async () => {
  await send('fm', [open(1, '/a', 'cron')]);
  await e.ok('ns', 'mode', 'fm', 'audit', ...e.conn);
  await send('fm', [open(1, '/b', 'cron'), open(1, '/b', 'cron'), open(1, '/c', 'tar')]);
  const findings = join(e.dir, 'findings.model');
  const r = await runCli('ns', 'findings', 'fm', '--model', '-o', findings, ...e.conn);
  assert.equal(r.code, 1);
  const trained = join(e.dir, 'trained.model');
  await e.ok('model', 'export', '--namespace', 'fm', '-o', trained, ...e.conn);
  const third = join(e.dir, 'third.model');
  await send('fm3', [open(9, '/d', 'sh')]);
  await e.ok('model', 'export', '--namespace', 'fm3', '-o', third, ...e.conn);
  const merged = join(e.dir, 'merged.model');
  const m = await runCli('model', 'merge', trained, findings, third, '-o', merged);
  assert.equal(m.code, 0, m.err);
  assert.equal(m.err, 'merged 3 models: 4 points\n');
  const shown = await e.ok('model', 'show', merged);
  assert.match(shown, /^dialect tsem-6\.12$/m);
  assert.match(shown, /^described 4$/m);
  assert.match(shown, /^point [0-9a-f]{64} count 2 file_open cron \/b$/m);
  const d = await runCli('model', 'diff', trained, merged);
  assert.equal(d.code, 1);
  assert.match(d.out, /^\+ [0-9a-f]{64} {2}count 1 file_open tar \/c$/m);
  assert.match(d.out, /^common 1 only-a 0 only-b 3$/m);
  // Loaded with --merge, the namespace's findings become points.
  const loaded = await e.ok('model', 'load', merged, '--namespace', 'fm', '--merge', ...e.conn);
  assert.match(loaded, /findings accepted 2/);
  assert.equal((await runCli('ns', 'findings', 'fm', ...e.conn)).code, 0);
});

test('prune and pseudonym on model files; a pseudonym the points were trained without is refused', async () => {
  await send('pr', [
    open(1, '/var/log/app.log', 'app'),
    open(1, '/etc/app.conf', 'app'),
    open(1, '/etc/app.conf', 'app'),
    open(2, '/etc/cron.d', 'cron'),
  ]);
  const model = join(e.dir, 'pr.model');
  await e.ok('model', 'export', '--namespace', 'pr', '-o', model, ...e.conn);
  const byCount = await runCli('model', 'prune', model, '--min-count', '2', '--pure-quixote');
  assert.equal(byCount.code, 0, byCount.err);
  assert.equal(lines(byCount.out).filter((l) => l.startsWith('state ')).length, 1);
  assert.match(byCount.err, /^pruned 2 of 3 points$/m);
  const byProcess = await runCli('model', 'prune', model, '--process', 'cr*', '--type', 'nothing');
  assert.match(
    byProcess.err,
    /dropped [0-9a-f]{64} \(process cron\) count 1 file_open cron \/etc\/cron\.d/
  );
  assert.equal((await runCli('model', 'prune', model)).code, 2);
  // Pseudonyms: a generator, and a model mapped again.
  const gen = await e.ok('model', 'pseudonym', '/root/.bash_history');
  assert.equal(gen, 'pseudonym 0f34f4a364460cecdacbaf292e48d9e10998521665b9aa0ab63f9a91e68d470e\n');
  const byHand = join(e.dir, 'byhand.model');
  const withLine = readFileSync(model, 'utf8').replace(
    /^end$/m,
    (await e.ok('model', 'pseudonym', '/var/log/app.log')).trim() + '\nend'
  );
  writeFileSync(byHand, withLine);
  const refused = await runCli(
    'model',
    'load',
    byHand,
    '--namespace',
    'pr2',
    '--create',
    ...e.conn
  );
  assert.equal(refused.code, 65);
  assert.match(refused.err, /mapped without a pseudonym it declares .*"\/var\/log\/app\.log"/);
  const remapped = join(e.dir, 'remapped.model');
  const p = await runCli(
    'model',
    'pseudonym',
    '/var/log/app.log',
    '--model',
    model,
    '-o',
    remapped
  );
  assert.equal(p.code, 0, p.err);
  assert.match(p.err, /^remapped [0-9a-f]{64} -> [0-9a-f]{64} \("\/var\/log\/app\.log"\)$/m);
  await e.ok('model', 'load', remapped, '--namespace', 'pr2', '--create', ...e.conn);
  await e.ok('ns', 'mode', 'pr2', 'sealed', ...e.conn);
  // The log file's contents changed (another digest): still on the contour under the pseudonym.
  const rotated = JSON.stringify(
    sourceEvent(
      1,
      'file_open',
      { file: fileCell('/var/log/app.log', 'ee'.repeat(32)) },
      {
        process: 'app',
      }
    )
  );
  assert.match(await send('pr2', [rotated]), /on-contour 1 off-contour 0/);
  // model build --pseudonym maps with it from the start.
  const traj = join(e.dir, 'pr.jsonl');
  writeFileSync(traj, `${rotated}\n`);
  const built = await e.ok('model', 'build', traj, '--pseudonym', '/var/log/app.log');
  assert.match(built, /^pseudonym [0-9a-f]{64}$/m);
  assert.equal((await runCli('replay', traj, '--model', remapped)).code, 0);
});

test('convergence: windows by time or events, --watch, and auto-seal with its alert', async () => {
  await send('conv', [open(1, '/x')]);
  const set = json(await e.ok('ns', 'convergence', 'conv', '--window', '2s', '--json', ...e.conn));
  assert.equal((set.at(-1) as { summary: { window_ms: number } }).summary.window_ms, 2000);
  const watched = await e.ok(
    'ns',
    'convergence',
    'conv',
    '--watch',
    '--count',
    '2',
    '--interval',
    '1',
    ...e.conn
  );
  assert.equal(lines(watched).filter((l) => l.startsWith('settled:')).length, 2);
  await e.ok('ns', 'convergence', 'conv', '--window', '5', '--auto-seal-after', '2', ...e.conn);
  const c = clients(e.engine.address);
  const sub = subscribe(c, { namespaces: ['conv'] });
  try {
    // The subscription registers asynchronously: wait for a probe to arrive first.
    await ingest(c, [
      [toWire('conv', sourceEvent(1, 'file_open', { file: fileCell('/x', 'ab'.repeat(32)) }))],
    ]);
    await sub.waitFor((m) => m.length > 0);
    const known = Array.from({ length: 10 }, () => open(1, '/x'));
    assert.match(await send('conv', known), /learned 0 on-contour 10/);
    await sub.waitFor((m) => m.some((x) => x.event?.records_json.includes('auto-sealed')));
    const notice = sub.messages.find((x) => x.event?.records_json.includes('auto-sealed'))!.event!;
    assert.equal(notice.alert, true);
    const record = (JSON.parse(notice.records_json) as { fields: Record<string, string> }[])[0]!;
    assert.deepEqual([record.fields['action'], record.fields['mode']], ['auto-sealed', 'sealed']);
  } finally {
    sub.cancel();
    c.close();
  }
  assert.equal(showFields(await e.ok('ns', 'show', 'conv', ...e.conn)).get('mode'), 'sealed');
  assert.match(
    await e.ok('ns', 'convergence', 'conv', ...e.conn),
    /settled: yes \(window 5 events; mode sealed; auto-seal \(sealed\) after 2 quiet windows/
  );
  assert.equal((await runCli('ns', 'convergence', 'conv', '--window', '5x', ...e.conn)).code, 2);
});

test('descriptions and findings survive a restart; the explanation still finds them', async () => {
  const own = await startCliEngine();
  const run = async (conn: readonly string[], ...args: string[]) => {
    const r = await runCli(...args, ...conn);
    assert.ok(r.code <= 1, `${args.join(' ')}: ${r.err}`);
    return r.out;
  };
  let again: Awaited<ReturnType<typeof startEngine>> | undefined;
  try {
    const f = join(own.dir, 'rs.jsonl');
    writeFileSync(f, `${open(1, '/usr/bin/ls', 'bash')}\n`);
    await run(own.conn, 'export', '--source', 'file', f, '--namespace', 'rs');
    await run(own.conn, 'ns', 'mode', 'rs', 'audit');
    writeFileSync(f, `${open(1, '/usr/bin/cat', 'bash')}\n`);
    await run(own.conn, 'export', '--source', 'file', f, '--namespace', 'rs');
    const coef = (
      json(await run(own.conn, 'ns', 'findings', 'rs', '--json'))[0] as {
        coefficient: string;
      }
    ).coefficient;
    const before = await run(own.conn, 'ns', 'explain', 'rs', coef);
    await own.engine.stop();
    again = await startEngine({ listen: '127.0.0.1:0', dataDir: own.dir, log: () => undefined });
    const conn = ['--server', again.address, '--data', own.dir];
    const found = json(await run(conn, 'ns', 'findings', 'rs', '--json'));
    assert.equal((found[0] as { coefficient: string }).coefficient, coef);
    const after = await run(conn, 'ns', 'explain', 'rs', coef);
    assert.equal(after, before);
    assert.match(
      after,
      /\* cell\.file\.path\.pathname: \/usr\/bin\/cat {2}\(trained: \/usr\/bin\/ls\)/
    );
  } finally {
    await again?.stop();
    rmSync(own.dir, { recursive: true, force: true });
  }
});
