/**
 * The policy author's loop end to end, through the CLI against a real engine, on real kernel
 * lines (test/vectors/tsem: the TSEM-6.12 vectors, the TV-9 export record and the TV-11
 * forensics line) and a simulated workload: train, dry-run, list the finding, explain it, accept
 * it, export the model, and a sealed replay of everything is clean.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createScenario } from '../../exporter/sim/index.js';
import { runCli } from '../helpers/cli.js';
import { type CliEngine, showFields, startCliEngine } from '../helpers/cli-engine.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { vectorPath } from '../helpers/repo.js';

const vectors = (
  JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
    vectors: { name: string; line: string; coefficient: string }[];
  }
).vectors;
const TV9 = readFileSync(vectorPath('tsem/tv9-export-record.json'), 'utf8').trim();
const TV11 = readFileSync(vectorPath('tsem/tv11-forensics.json'), 'utf8').trim();
/** The trained shell's own inode_getattr (of /etc/ld.so.cache): TV-11's nearest trained point. */
const LD_SO_CACHE = vectors.find((v) => v.name.includes('inode_getattr'))!;

let e: CliEngine;
let traj: string;
let tv11: string;
let everything: string;
const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const json = (s: string) => lines(s).map((l) => JSON.parse(l) as Record<string, unknown>);

before(async () => {
  e = await startCliEngine();
  const sim = [...createScenario('shell', { seed: 7, iterations: 2 }).events()].map((ev) =>
    JSON.stringify(ev)
  );
  traj = join(e.dir, 'train.jsonl');
  writeFileSync(traj, [...vectors.map((v) => v.line), TV9, ...sim].join('\n') + '\n');
  tv11 = join(e.dir, 'tv11.jsonl');
  writeFileSync(tv11, `${TV11}\n`);
  everything = join(e.dir, 'everything.jsonl');
  writeFileSync(everything, readFileSync(traj, 'utf8') + `${TV11}\n`);
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

async function send(ns: string, file: string): Promise<string> {
  return exportFile(file, ns);
}

test('round trip on real kernel lines: finding listed, explained, accepted; the exported model replays clean', async () => {
  await send('shell', traj);
  await e.ok('ns', 'mode', 'shell', 'audit', ...e.conn);
  assert.match(await send('shell', tv11), /off-contour 1 /);

  // The finding, with its description; exit 1 (found something).
  const found = await runCli('ns', 'findings', 'shell', '--json', ...e.conn);
  assert.equal(found.code, 1, found.err);
  const [finding, summary] = json(found.out) as [
    { coefficient: string; status: string; count: number; description: Record<string, unknown> },
    { summary: Record<string, number> },
  ];
  assert.deepEqual(summary.summary, { total: 1, findings: 1, forensic: 0, offset: 0, returned: 1 });
  assert.deepEqual([finding.status, finding.count], ['finding', 1]);
  assert.deepEqual(
    [finding.description['type'], finding.description['process'], finding.description['task_id']],
    ['inode_getattr', 'bash', '094e29687d185cf4eaa48ddebfcda205465ad78df543e361621ea0acf2d4f986']
  );
  const coef = finding.coefficient;
  const human = await runCli('ns', 'findings', 'shell', ...e.conn);
  assert.equal(human.out, `${coef} finding 1 inode_getattr bash /usr/bin/cat\n`);

  // Explained: the trained shell's inode_getattr is nearest, the pathname the field that differs.
  const ex = JSON.parse(await e.ok('ns', 'explain', 'shell', coef, '--json', ...e.conn)) as {
    point: { status: string };
    nearest: {
      point: { coefficient: string };
      same_type: boolean;
      same_process: boolean;
      differences: { field: string; value: string | null; nearest: string | null }[];
    }[];
  };
  assert.equal(ex.point.status, 'finding');
  const near = ex.nearest[0]!;
  assert.equal(near.point.coefficient, LD_SO_CACHE.coefficient);
  assert.deepEqual([near.same_type, near.same_process], [true, true]);
  assert.deepEqual(
    near.differences.find((d) => d.field === 'cell.path.path.pathname'),
    { field: 'cell.path.path.pathname', value: '/usr/bin/cat', nearest: '/etc/ld.so.cache' }
  );
  const text = await e.ok('ns', 'explain', 'shell', coef, ...e.conn);
  assert.match(text, /^ {2}event {4}inode_getattr bash \/usr\/bin\/cat$/m);
  assert.match(text, /^1\. [0-9a-f]{64} {2}count 1 {2}inode_getattr bash \/etc\/ld\.so\.cache$/m);
  assert.match(
    text,
    /^ {3}\* cell\.path\.path\.pathname: \/usr\/bin\/cat {2}\(trained: \/etc\/ld\.so\.cache\)$/m
  );

  // Accepted: the namespace equals one that learned everything.
  const accepted = json(await e.ok('ns', 'accept', 'shell', coef, '--json', ...e.conn));
  assert.deepEqual(accepted[0], { coefficient: coef, was: 'finding' });
  assert.equal((await runCli('ns', 'findings', 'shell', ...e.conn)).code, 0);
  await send('ref', everything);
  const shell = showFields(await e.ok('ns', 'show', 'shell', ...e.conn));
  const ref = showFields(await e.ok('ns', 'show', 'ref', ...e.conn));
  for (const k of ['measurement', 'state', 'points', 'trajectory'])
    assert.equal(shell.get(k), ref.get(k), k);

  // Exported: the model holds the point with its description; a sealed replay of everything is clean.
  const model = join(e.dir, 'shell.model');
  await e.ok('model', 'export', '--namespace', 'shell', '-o', model, ...e.conn);
  const file = readFileSync(model, 'utf8');
  assert.match(file, new RegExp(`^state ${coef}$`, 'm'));
  assert.match(
    file,
    new RegExp(`^# tsem: point ${coef} \\{"count":1,"type":"inode_getattr","process":"bash"`, 'm')
  );
  const replay = await runCli('replay', everything, '--model', model, '--mode', 'sealed', '--json');
  assert.equal(replay.code, 0, replay.out);
  const { summary: r } = json(replay.out).at(-1) as { summary: Record<string, unknown> };
  assert.deepEqual(
    [r['forensics'], r['off-contour'], r['untrusted-task'], r['measurement']],
    [0, 0, 0, shell.get('measurement')]
  );
  // Before the accept the same replay finds TV-11 (exit 1): the gate works.
  const before = join(e.dir, 'before.model');
  await e.ok('model', 'export', '--namespace', 'ref', '-o', before, ...e.conn);
  const pruned = join(e.dir, 'pruned.model');
  await e.ok('model', 'prune', before, '--drop', coef, '-o', pruned);
  const gate = await runCli('replay', everything, '--model', pruned, '--json');
  assert.equal(gate.code, 1);
  assert.deepEqual((json(gate.out)[0] as { line: number; coefficient: string }).coefficient, coef);
  // A reload of the exported model yields the same state.
  await e.ok('model', 'load', model, '--namespace', 'copy', '--create', ...e.conn);
  const copy = showFields(await e.ok('ns', 'show', 'copy', ...e.conn));
  assert.deepEqual(
    [copy.get('state'), copy.get('measurement')],
    [shell.get('state'), shell.get('measurement')]
  );
});

test('a model exported with forensics and loaded back into the same namespace makes them valid', async () => {
  await send('sealed', traj);
  await e.ok('ns', 'mode', 'sealed', 'sealed', ...e.conn);
  assert.match(await send('sealed', tv11), /off-contour 1 /);
  const listed = json((await runCli('ns', 'findings', 'sealed', '--json', ...e.conn)).out);
  assert.equal((listed[0] as { status: string }).status, 'forensic');
  const model = join(e.dir, 'forensic.model');
  await e.ok(
    'model',
    'export',
    '--namespace',
    'sealed',
    '--include-forensics',
    '-o',
    model,
    ...e.conn
  );
  // A namespace with points needs --merge or --replace.
  const refused = await runCli('model', 'load', model, '--namespace', 'sealed', ...e.conn);
  assert.equal(refused.code, 65);
  assert.match(
    refused.err,
    /holds \d+ point\(s\) and 0 finding\(s\): load with merge .* or replace/
  );
  const loaded = await e.ok('model', 'load', model, '--namespace', 'sealed', '--merge', ...e.conn);
  assert.match(loaded, /\(forensic made valid 1\)$/m);
  assert.equal(
    showFields(await e.ok('ns', 'show', 'sealed', ...e.conn)).get('forensic-points'),
    '0'
  );
  // The shell that was made untrusted stays untrusted; another task's same event is on the contour.
  const again = JSON.parse(TV11) as { event: Record<string, string> };
  again.event['task_id'] = '11'.repeat(32);
  const other = join(e.dir, 'other.jsonl');
  writeFileSync(other, `${JSON.stringify(again)}\n`);
  assert.match(await send('sealed', other), /off-contour 1 /); // another TASK_ID: another point
  assert.match(await send('sealed', tv11), /on-contour 0 off-contour 0/); // untrusted: not modeled
  assert.equal(
    showFields(await e.ok('ns', 'show', 'sealed', ...e.conn)).get('untrusted-tasks'),
    '2'
  );
});

test('a description holding a newline and a state line round-trips through export and load without adding a point', async () => {
  const evilPath = `/tmp/x\nstate ${'ab'.repeat(32)}\nend`;
  const f = join(e.dir, 'evil.jsonl');
  writeFileSync(
    f,
    `${JSON.stringify(sourceEvent(1, 'file_open', { file: fileCell(evilPath, 'cd'.repeat(32)) }))}\n`
  );
  await send('evil', f);
  const model = join(e.dir, 'evil.model');
  await e.ok('model', 'export', '--namespace', 'evil', '-o', model, ...e.conn);
  const text = readFileSync(model, 'utf8');
  assert.deepEqual(
    lines(text)
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.split(' ')[0]),
    ['aggregate', 'state', 'end']
  );
  await e.ok('model', 'load', model, '--namespace', 'evil-copy', '--create', ...e.conn);
  const points = json(await e.ok('ns', 'points', 'evil-copy', '--describe', '--json', ...e.conn));
  assert.equal(points.length, 2); // one point, then the summary
  const d = (points[0] as { description: { cell: { file: { path: { pathname: string } } } } })
    .description;
  assert.equal(d.cell.file.path.pathname, evilPath);
  // Human output escapes it: the newline cannot forge a line there either.
  const human = await e.ok('ns', 'points', 'evil-copy', '--describe', ...e.conn);
  assert.equal(lines(human).length, 1);
  assert.match(human, /\/tmp\/x\\nstate ab/);
});

test('a model whose header names another digest or dialect is refused, naming both', async () => {
  const model = join(e.dir, 'shell-header.model');
  await e.ok('model', 'export', '--namespace', 'shell', '-o', model, ...e.conn);
  await e.ok('ns', 'create', 'wide', '--digest', 'sha384', ...e.conn);
  const digest = await runCli('model', 'load', model, '--namespace', 'wide', ...e.conn);
  assert.equal(digest.code, 65);
  assert.match(digest.err, /the model's header names digest sha256 but namespace wide uses sha384/);
  await e.ok('ns', 'create', 'qx', '--dialect', 'quixote-us', ...e.conn);
  const dialect = await runCli('model', 'load', model, '--namespace', 'qx', ...e.conn);
  assert.equal(dialect.code, 65);
  assert.match(
    dialect.err,
    /the model's header names dialect tsem-6\.12 but namespace qx uses quixote-us/
  );
  // Offline, the same: replay with another dialect than the header's.
  const offline = await runCli('replay', traj, '--model', model, '--dialect', 'quixote-us');
  assert.equal(offline.code, 65);
  assert.match(offline.err, /names dialect tsem-6\.12 but this replay uses quixote-us/);
  // A header-less model: a warning under a non-default dialect, and the replay names the likely cause.
  const pure = join(e.dir, 'pure.model');
  await e.ok('model', 'build', traj, '--pure-quixote', '-o', pure);
  const loaded = await runCli('model', 'load', pure, '--namespace', 'qx', ...e.conn);
  assert.equal(loaded.code, 0, loaded.err);
  assert.match(
    loaded.err,
    /^warning: the model has no header naming its dialect; namespace qx uses quixote-us/m
  );
  const mismatch = await runCli('replay', traj, '--model', pure, '--dialect', 'quixote-us');
  assert.equal(mismatch.code, 1);
  assert.match(
    mismatch.err,
    /tasks turned untrusted: a dialect or digest mismatch between the model and this replay \(sha256, quixote-us\) is the likely cause/
  );
  // With the header, the replay takes its dialect and digest: clean.
  assert.equal((await runCli('replay', traj, '--model', model)).code, 0);
});
