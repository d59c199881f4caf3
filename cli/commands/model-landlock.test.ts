import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../test/helpers/cli.js';
import { vectorPath } from '../../test/helpers/repo.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-cli-ll-'));
const vectors = (
  JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
    vectors: { line: string; coefficient: string }[];
  }
).vectors;
const traj = join(dir, 'traj.jsonl');
writeFileSync(traj, vectors.map((v) => v.line).join('\n') + '\n');
const execOfBash = vectors.find(
  (v) => v.line.includes('"file_open"') && v.line.includes('/usr/bin/bash')
);

async function model(...flags: string[]): Promise<string> {
  const r = await runCli('model', 'build', traj, ...flags);
  assert.equal(r.code, 0, r.err);
  const file = join(dir, `m${flags.join('')}.model`);
  writeFileSync(file, r.out);
  return file;
}

test('model landlock prints each rule with the points behind it, and what it cannot express', async () => {
  const file = await model();
  const r = await runCli('model', 'landlock', file, '--abi', '7');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /fitted to ABI 7/);
  assert.match(r.out, /^allow execute,read_file +\/usr\/bin\/bash$/m);
  assert.ok(execOfBash);
  assert.match(
    r.out,
    new RegExp(`why: file_open ${execOfBash.coefficient.slice(0, 12)} \\(exec /usr/bin/bash\\)`)
  );
  assert.match(
    r.out,
    /^not expressed {2}mmap_file \(1 point\): Landlock has no right for memory mappings/m
  );
  assert.match(r.out, /^note {2}read_dir: /m);
});

test('model landlock --json: one record per rule, unexpressed kind and note, then the summary', async () => {
  const file = await model();
  const r = await runCli('model', 'landlock', file, '--abi', '3', '--json');
  assert.equal(r.code, 0, r.err);
  const lines = r.out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const bash = lines.find((l) => l['path'] === '/usr/bin/bash');
  assert.deepEqual(bash?.['access'], ['execute', 'read_file']);
  assert.deepEqual(bash?.['points'], [
    { coefficient: execOfBash!.coefficient, type: 'file_open', saw: 'exec /usr/bin/bash' },
  ]);
  assert.ok(lines.some((l) => l['unexpressed'] === 'capable'));
  assert.ok(lines.some((l) => typeof l['dropped'] === 'string' && /need ABI 4/.test(l['dropped'])));
  const summary = lines.at(-1)!['summary'] as Record<string, unknown>;
  assert.equal(summary['abi'], 3);
  assert.deepEqual(summary['handled'], {
    fs: ['execute', 'write_file', 'read_file', 'truncate'],
    net: [],
    scoped: [],
  });
  assert.equal(summary['points'], vectors.length);
});

test('a model without descriptions cannot be compiled (65); a bad --abi is a usage error', async () => {
  const pure = await model('--pure-quixote');
  const r = await runCli('model', 'landlock', pure);
  assert.equal(r.code, 65);
  assert.match(r.err, /points have no description .*cannot be compiled/);
  const bad = await runCli('model', 'landlock', pure, '--abi', '9');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--abi expects a Landlock ABI version \(1\.\.7\), got '9'/);
});
