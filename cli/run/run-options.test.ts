import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../test/helpers/cli.js';
import { parseArgs, UsageError } from '../args.js';
import { commands } from '../commands/run.js';
import { parseControlGroup } from './canister-cgroup.js';
import { RunError } from './run-error.js';
import { parseRunOptions } from './run-options.js';

const spec = commands[0]!.spec;
const parse = (...argv: string[]) => parseRunOptions(parseArgs(spec, argv));

test('tsem run options: the command after --, its own flags untouched; defaults', () => {
  const o = parse(
    '--label',
    'web',
    '--unshare',
    'pid,mnt',
    '--no-new-privs',
    '--',
    'nginx',
    '-g',
    '--help'
  );
  assert.deepEqual(o.command, ['nginx', '-g', '--help']);
  assert.deepEqual([o.label, o.namespace, o.saveLabel, o.settleMs], ['web', undefined, true, 250]);
  assert.deepEqual(
    [o.unshare, o.confinement],
    [['pid', 'mnt'], { noNewPrivs: true, landlock: false }]
  );
  assert.equal(parse('--namespace', 'db', '--mode', 'seal', '--', 'x').mode, 'MODE_SEALED');
  assert.equal(parse('--label', 'web', '--no-save', '--', 'x').saveLabel, false);
  assert.deepEqual(parse('--label', 'web', '--landlock', '--', 'x').confinement, {
    noNewPrivs: false,
    landlock: true,
  });
  // A learn or audit run has no sealed model to compile.
  assert.throws(
    () => parse('--label', 'web', '--landlock', '--mode', 'learn', '--', 'x'),
    (e: unknown) =>
      e instanceof UsageError && /--landlock confines by a sealed model/.test(e.message)
  );
});

test('tsem run options: what is refused, before anything is created', () => {
  const bad: [string[], RegExp][] = [
    [['--label', 'web'], /expected the command to run after --/],
    [['--', 'x'], /expected --namespace NS or --label LABEL/],
    [['--label', 'a', '--namespace', 'b', '--', 'x'], /exclude each other/],
    [['--label', 'a b', '--', 'x'], /--label: name 'a b' is invalid/],
    [['--label', 'a', '--cgroup', '/x', '--unit', 'y', '--', 'x'], /--cgroup and --unit exclude/],
    [['--namespace', 'a', '--no-save', '--', 'x'], /--no-save applies to --label runs only/],
    [['--label', 'a', '--unshare', 'uts', '--', 'x'], /--unshare expects a comma list/],
  ];
  for (const [argv, re] of bad)
    assert.throws(
      () => parse(...argv),
      (e: Error) => e instanceof UsageError && re.test(e.message),
      argv.join(' ')
    );
  const dir = mkdtempSync(join(tmpdir(), 'tsem-run-opts-'));
  try {
    assert.throws(
      () => parse('--label', 'a', '--model', join(dir, 'none'), '--', 'x'),
      (e: Error) =>
        e instanceof RunError && /cannot read model file '.*none': ENOENT/.test(e.message)
    );
    writeFileSync(join(dir, 'm'), 'end\n');
    assert.equal(parse('--label', 'a', '--model', join(dir, 'm'), '--', 'x').model, 'end\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tsem run's own failures exit 125, even usage errors; --help after -- is the command's", async () => {
  const r = await runCli('run', '--', 'cmd', '--help');
  assert.equal(r.code, 125);
  assert.match(r.err, /expected --namespace NS or --label LABEL/);
  assert.equal((await runCli('run', '--bogus')).code, 125);
  const help = await runCli('run', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /Exit status: the command's/);
});

test("a systemd unit's cgroup from systemctl show", () => {
  assert.equal(
    parseControlGroup('web.service', '/system.slice/web.service\n'),
    '/system.slice/web.service'
  );
  assert.throws(() => parseControlGroup('gone.service', '\n'), /the unit has no cgroup/);
});
