import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../test/helpers/cli.js';
import { vectorPath } from '../../test/helpers/repo.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-cli-'));
const vectors = (
  JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
    vectors: { line: string; coefficient: string }[];
  }
).vectors;
const traj = join(dir, 'traj.jsonl');
writeFileSync(traj, vectors.map((v) => v.line).join('\n') + '\n');

test('model build writes aggregate, first-seen states and end; its header and descriptions first', async () => {
  const r = await runCli('model', 'build', traj, '--pure-quixote');
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      'aggregate ' + '0'.repeat(64),
      ...vectors.map((v) => `state ${v.coefficient}`),
      'end',
      '',
    ].join('\n')
  );
  const described = (await runCli('model', 'build', traj)).out.split('\n');
  assert.deepEqual(described.slice(0, 3), [
    '# tsem: digest sha256',
    '# tsem: dialect tsem-6.12',
    `# tsem: origin ${JSON.stringify(`tsem model build ${traj}`)}`,
  ]);
  const points = described.filter((l) => l.startsWith('# tsem: point '));
  assert.equal(points.length, vectors.length);
  const first = JSON.parse(
    points[0]!.slice(`# tsem: point ${vectors[0]!.coefficient} `.length)
  ) as {
    count: number;
    type: string;
  };
  assert.deepEqual([first.count, first.type], [1, 'capable']);
  assert.deepEqual(
    described.filter((l) => !l.startsWith('#')),
    r.out.split('\n')
  );
});

test('model build --aggregate and show: measurement extends the aggregate first', async () => {
  const model = join(dir, 'agg.model');
  assert.equal(
    (await runCli('model', 'build', traj, '--aggregate', '11'.repeat(32), '-o', model)).code,
    0
  );
  const shown = await runCli('model', 'show', model);
  assert.match(shown.out, new RegExp(`^aggregate ${'11'.repeat(32)}$`, 'm'));
  assert.match(shown.out, /^points 10$/m);
  assert.match(shown.out, /^measurement [0-9a-f]{64}$/m);
});

test('replay reports off-contour events as JSON lines and a summary', async () => {
  const partial = join(dir, 'three.jsonl');
  writeFileSync(
    partial,
    vectors
      .slice(0, 3)
      .map((v) => v.line)
      .join('\n')
  );
  const model = join(dir, 'three.model');
  await runCli('model', 'build', partial, '-o', model);
  const r = await runCli('replay', traj, '--model', model, '--mode', 'sealed', '--json');
  assert.equal(r.code, 1, r.err); // found off-contour events
  assert.ok(
    r.out
      .split('\n')
      .slice(0, -1)
      .every((l) => l.startsWith('{'))
  );
  const lines = r.out.trim().split('\n');
  const first = JSON.parse(lines[0]!) as { verdict: string; coefficient: string; type: string };
  assert.deepEqual(
    [first.verdict, first.type, first.coefficient],
    ['off-contour', 'mmap_file', vectors[3]!.coefficient]
  );
  const { summary } = JSON.parse(lines.at(-1)!) as { summary: Record<string, unknown> };
  assert.deepEqual(
    [summary['events'], summary['on-contour'], summary['off-contour'], summary['untrusted-task']],
    [10, 3, 1, 6]
  );
  assert.deepEqual([summary['denied'], summary['forensics'], summary['mode']], [0, 1, 'sealed']);
  const audit = await runCli('replay', traj, '--model', model, '--mode', 'audit');
  assert.equal(audit.code, 1);
  assert.match(
    audit.out,
    /summary events 10 on-contour 3 off-contour 7 untrusted-task 0 denied 0 forensics 0 mode audit/
  );
  const clean = await runCli('replay', partial, '--model', model, '--mode', 'seal');
  assert.equal(clean.code, 0, clean.out);
  assert.match(clean.out, /^summary events 3 on-contour 3 off-contour 0 /);
});

test('diff and merge', async () => {
  const a = join(dir, 'a.model');
  const b = join(dir, 'b.model');
  writeFileSync(a, `state ${'1'.repeat(64)}\nstate ${'2'.repeat(64)}\nend\n`);
  writeFileSync(b, `state ${'2'.repeat(64)}\nstate ${'3'.repeat(64)}\nend\n`);
  const d = await runCli('model', 'diff', a, b);
  assert.equal(d.code, 1);
  assert.equal(d.out, `- ${'1'.repeat(64)}\n+ ${'3'.repeat(64)}\ncommon 1 only-a 1 only-b 1\n`);
  assert.equal((await runCli('model', 'diff', a, a)).code, 0);
  const m = await runCli('model', 'merge', a, b, '--pure-quixote');
  assert.equal(
    m.out,
    `state ${'1'.repeat(64)}\nstate ${'2'.repeat(64)}\nstate ${'3'.repeat(64)}\nend\n`
  );
});

test('errors: usage 2, unreadable file 74, malformed input 65, each one clear line', async () => {
  const none = await runCli('model', 'build');
  assert.equal(none.code, 2);
  assert.match(none.err, /'tsem model build' expects <trajectory-file>/);
  assert.equal((await runCli('model', 'build', traj, '--bogus')).code, 2);
  assert.equal((await runCli('replay', traj)).code, 2);
  assert.equal((await runCli('frobnicate')).code, 2);
  const missing = await runCli('model', 'show', join(dir, 'nope.model'));
  assert.deepEqual(
    [missing.code, missing.err],
    [74, `tsem model show: cannot read model file '${join(dir, 'nope.model')}': ENOENT\n`]
  );
  const trunc = join(dir, 'trunc.jsonl');
  writeFileSync(trunc, vectors[0]!.line + '\n' + vectors[1]!.line.slice(0, 50) + '\n');
  // A line that cannot be parsed is reported and skipped (found: 1); --strict stops at it (65).
  const t = await runCli('model', 'build', trunc, '--strict');
  assert.equal(t.code, 65);
  assert.equal((await runCli('model', 'build', trunc)).code, 1);
  assert.equal((await runCli('replay', trunc, '--model', join(dir, 'three.model'))).code, 1);
  assert.equal(
    (await runCli('replay', trunc, '--model', join(dir, 'three.model'), '--strict')).code,
    65
  );
  assert.match(t.err, /line 2: expected one JSON object per line \(truncated or invalid JSON/);
  const badDigest = await runCli('model', 'build', traj, '--digest', 'md17');
  assert.match(badDigest.err, /unknown digest 'md17'/);
  assert.equal(badDigest.code, 2);
});

test('help describes every command', async () => {
  const h = await runCli('--help');
  assert.equal(h.code, 0);
  for (const c of ['model build', 'model show', 'model diff', 'model merge', 'replay'])
    assert.match(h.out, new RegExp(`  ${c} `));
  const one = await runCli('model', 'build', '--help');
  assert.match(one.out, /--aggregate HEX/);
});

test('an Ed25519 signature covers the # tsem: lines: a changed description fails verification', async () => {
  const model = join(dir, 'signed.model');
  const key = join(dir, 'author.key');
  assert.equal((await runCli('model', 'build', traj, '-o', model)).code, 0);
  assert.equal((await runCli('model', 'keygen', '-o', key)).code, 0);
  assert.equal((await runCli('model', 'sign', model, '--key', key)).code, 0);
  assert.equal((await runCli('model', 'verify', model, '--pubkey', `${key}.pub`)).code, 0);
  const text = readFileSync(model, 'utf8');
  assert.match(text, /"process":"quixote"/);
  writeFileSync(model, text.replace('"process":"quixote"', '"process":"quixotf"'));
  const bad = await runCli('model', 'verify', model, '--pubkey', `${key}.pub`);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /does not verify/);
});
