/**
 * The launcher helper (native/launch) through launch(): exit statuses, failure reports, the held
 * zombie, signal forwarding, each --unshare kind seen from inside the workload, and Landlock.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cgroup2Mount } from '../../exporter/host/cgroup.js';
import type { CompiledRuleset } from '../../engine/landlock/compile.js';
import { fitToAbi, launcherRulesetFile } from '../../engine/landlock/fit.js';
import type { FsRight } from '../../engine/landlock/rights.js';
import { probeLandlock } from '../../native/landlock.js';
import { launcherPath, parseLaunchPid, parseLaunchReport } from '../../native/launcher.js';
import { rootSkipReason } from '../../test/helpers/repo.js';
import { describeFailure, launch } from './launch.js';
import { confinementArgs, helperArgs, parseUnshare } from './launch-plan.js';

const helper = launcherPath();
const rootSkip = rootSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'tsem-launch-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `sh -c script` through the helper; returns the status and what the script wrote to out. */
async function sh(script: string, args: string[] = []) {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const l = launch(helper, [...args, '--', 'sh', '-c', script.replaceAll('$OUT', out)]);
  const r = await l.ended;
  await l.release();
  return { ...r, out: existsSync(out) ? readFileSync(out, 'utf8') : '' };
}

test("the workload's status; 127, 126 and 125 with the failed step reported", async () => {
  assert.equal((await sh('exit 3')).status, 3);
  const missing = launch(helper, ['--', join(dir, 'no-such-command')]);
  const m = await missing.ended;
  await missing.release();
  assert.equal(m.status, 127);
  assert.equal(describeFailure(m.failure!), 'exec: No such file or directory (ENOENT)');
  const notExec = launch(helper, ['--', dir]);
  const n = await notExec.ended;
  await notExec.release();
  assert.deepEqual([n.status, n.failure?.stage], [126, 'exec']);
  const noCgroup = launch(helper, ['--cgroup', join(dir, 'no-cgroup'), '--', 'true']);
  const c = await noCgroup.ended;
  await noCgroup.release();
  assert.equal(c.status, 125);
  assert.equal(describeFailure(c.failure!), 'cgroup: No such file or directory (ENOENT)');
  const usage = launch(helper, ['--bogus', '--', 'true']);
  assert.equal((await usage.ended).status, 125);
  await usage.release();
});

test('a signal ending the workload is 128 + N; SIGTERM to tsem run reaches the workload', async () => {
  assert.equal((await sh('kill -KILL $$')).status, 137);
  const l = launch(helper, [
    '--',
    'sh',
    '-c',
    'trap "exit 7" TERM; echo > ' + join(dir, 'ready') + '; while :; do sleep 0.05; done',
  ]);
  while (!existsSync(join(dir, 'ready'))) await new Promise((r) => setTimeout(r, 20));
  process.kill(process.pid, 'SIGTERM'); // tsem run passes it on
  assert.equal((await l.ended).status, 7);
  await l.release();
});

test('the ended workload stays a zombie (its /proc, cgroup included, readable) until released', async () => {
  const pidFile = join(dir, 'pid');
  const l = launch(helper, ['--', 'sh', '-c', `echo $$ > ${pidFile}; exit 4`]);
  assert.equal((await l.ended).status, 4);
  const pid = readFileSync(pidFile, 'utf8').trim();
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  assert.equal(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3), 'Z');
  assert.match(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), /^0::/m);
  await l.release();
  assert.equal(existsSync(`/proc/${pid}`), false, 'reaped once released');
});

test("the helper reports the workload's pid before its end (the creator of its Landlock domain)", async () => {
  const pidFile = join(dir, 'pid-reported');
  let reported: number | undefined;
  let endedFirst = false;
  const l = launch(helper, ['--', 'sh', '-c', `echo $$ > ${pidFile}`], undefined, (pid) => {
    reported = pid;
  });
  void l.ended.then(() => (endedFirst = reported === undefined));
  assert.equal((await l.ended).status, 0);
  await l.release();
  assert.equal(endedFirst, false, 'reported before the end');
  assert.equal(reported, Number(readFileSync(pidFile, 'utf8').trim()));
  assert.equal(parseLaunchPid('note x\npid 42\nexit 0\n'), 42);
  assert.equal(parseLaunchPid('pid 4'), undefined, 'only a whole line');
});

test('--no-new-privs: the workload cannot gain privileges by exec', async () => {
  const r = await sh(
    'grep NoNewPrivs /proc/self/status > $OUT',
    confinementArgs({ noNewPrivs: true, landlock: false })
  );
  assert.equal(r.out, 'NoNewPrivs:\t1\n');
  assert.equal((await sh('grep NoNewPrivs /proc/self/status > $OUT')).out, 'NoNewPrivs:\t0\n');
});

test('--unshare user: root inside is the caller outside', async () => {
  const r = await sh('cat /proc/self/uid_map > $OUT', ['--unshare', 'user']);
  assert.equal(r.status, 0, r.failure && describeFailure(r.failure));
  const [inside, outside, count] = r.out.trim().split(/\s+/);
  assert.deepEqual([inside, outside, count], ['0', String(process.getuid!()), '1']);
});

test(
  '--unshare pid,mnt,net: pid 2 below an init, its own /proc, only loopback',
  { skip: rootSkip },
  async () => {
    const r = await sh(
      'echo $$ > $OUT; ls /proc | grep -c "^[0-9]" >> $OUT; cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d " " >> $OUT',
      ['--unshare', 'pid,mnt,net']
    );
    assert.equal(r.status, 0, r.failure && describeFailure(r.failure));
    const [pid, processes, ...interfaces] = r.out.trim().split('\n');
    assert.equal(pid, '2', 'the workload is below the namespace init');
    assert.ok(Number(processes) <= 6, `only the namespace's processes in /proc, got ${processes}`);
    assert.deepEqual(interfaces, ['lo']);
    // Signals still reach a workload below a pid namespace's init.
    const l = launch(helper, [
      '--unshare',
      'pid',
      '--',
      'sh',
      '-c',
      `trap "exit 9" TERM; echo > ${join(dir, 'ready2')}; while :; do sleep 0.05; done`,
    ]);
    while (!existsSync(join(dir, 'ready2'))) await new Promise((res) => setTimeout(res, 20));
    process.kill(process.pid, 'SIGTERM');
    assert.equal((await l.ended).status, 9);
    await l.release();
  }
);

test(
  '--cgroup: the workload runs in the cgroup, the launcher does not',
  { skip: rootSkip ?? (cgroup2Mount() ? undefined : 'no cgroup v2 hierarchy') },
  async () => {
    const mount = cgroup2Mount()!;
    const cg = join(mount, `tsem-launch-test-${process.pid}`);
    mkdirSync(cg);
    try {
      const r = await sh(
        'cat /proc/self/cgroup > $OUT; cat /proc/$PPID/cgroup >> $OUT',
        helperArgs({
          cgroupDir: cg,
          unshare: [],
          confinement: { noNewPrivs: false, landlock: false },
          command: [],
        }).slice(0, 2)
      );
      const v2 = r.out.split('\n').filter((l) => l.startsWith('0::'));
      assert.deepEqual(v2, [
        `0::/tsem-launch-test-${process.pid}`,
        readFileSync('/proc/self/cgroup', 'utf8')
          .split('\n')
          .find((l) => l.startsWith('0::')),
      ]);
    } finally {
      rmdirSync(cg);
    }
  }
);

test('the report and --unshare parsers', () => {
  assert.deepEqual(parseLaunchReport('exit 1\nfail user namespace 13 /proc/self/uid_map\n'), {
    stage: 'user namespace',
    errno: 13,
    text: '/proc/self/uid_map',
  });
  assert.equal(parseLaunchReport('exit 0\n'), undefined);
  assert.deepEqual(parseUnshare(['pid,mnt', 'pid', 'net']), ['pid', 'mnt', 'net']);
  assert.match(
    parseUnshare(['pid,ipc']) as string,
    /expects a comma list of mnt, pid, user, net, got 'ipc'/
  );
  assert.deepEqual(
    helperArgs({
      cgroupDir: '/cg/x',
      unshare: ['pid'],
      confinement: { noNewPrivs: true, landlock: false },
      command: ['a', '--b'],
    }),
    ['--cgroup', '/cg/x', '--unshare', 'pid', '--no-new-privs', '--', 'a', '--b']
  );
});

test('--landlock-fd: the ruleset confines the workload from its first instruction, without privilege', async () => {
  const data = join(dir, 'landlock');
  mkdirSync(data);
  writeFileSync(join(data, 'known'), 'known\n');
  writeFileSync(join(data, 'other'), 'other\n');
  // The system's programs and libraries, the known file to read, an output file missing at
  // launch (its directory takes its write rights) and an absent file (skipped).
  const system = ['/usr', '/lib', '/lib64', '/bin', '/etc'].map((path) => ({
    path,
    access: ['execute', 'read_file'] as FsRight[],
    reasons: [],
  }));
  const ruleset: CompiledRuleset = {
    handledFs: ['execute', 'write_file', 'read_file', 'truncate'],
    handledNet: ['bind_tcp', 'connect_tcp'],
    scoped: ['signal', 'abstract_unix_socket'],
    paths: [
      ...system,
      { path: '/dev', access: ['read_file', 'write_file'], reasons: [] },
      { path: join(data, 'known'), access: ['read_file'], reasons: [] },
      { path: join(data, 'out', 'result'), access: ['write_file', 'truncate'], reasons: [] },
      { path: join(data, 'absent'), access: ['read_file'], reasons: [] },
      { path: join(data, 'bin', 'known'), access: ['execute', 'read_file'], reasons: [] },
    ],
    ports: [],
    unexpressed: [],
    decisions: [],
    points: 0,
  };
  mkdirSync(join(data, 'out'));
  mkdirSync(join(data, 'bin'));
  for (const b of ['known', 'unknown']) copyFileSync('/bin/true', join(data, 'bin', b));
  const abi = probeLandlock();
  if (!abi.ok) return assert.fail(`Landlock is needed here: ${abi.reason}`);
  const run = async (script: string) => {
    const l = launch(
      helper,
      [...confinementArgs({ noNewPrivs: false, landlock: true }), '--', 'sh', '-c', script],
      launcherRulesetFile(fitToAbi(ruleset, abi.abi))
    );
    const r = await l.ended;
    await l.release();
    return r;
  };
  const clean = await run(`read x < ${data}/known && echo "$x" > ${data}/out/result`);
  assert.equal(clean.status, 0, clean.failure && describeFailure(clean.failure));
  assert.equal(readFileSync(join(data, 'out', 'result'), 'utf8'), 'known\n');
  assert.deepEqual(clean.notes, [
    `landlock ${data}/out/result is missing: its write rights go to ${data}/out`,
    `landlock ${data}/absent is missing: its rule is skipped`,
  ]);
  // Each denied by the kernel: read outside, write where only read, exec of an unknown binary.
  assert.equal((await run(`cat ${data}/other`)).status, 1);
  assert.equal((await run(`echo x >> ${data}/known`)).status, 2);
  assert.equal((await run(`${data}/bin/known`)).status, 0);
  assert.equal((await run(`${data}/bin/unknown`)).status, 126, 'exec beside a known binary');
  assert.equal(readFileSync(join(data, 'known'), 'utf8'), 'known\n');
  // A ruleset that is not one fails the launch (125) before anything runs.
  const bad = launch(helper, ['--landlock-fd', '5', '--', 'true'], 'nonsense\n');
  const b = await bad.ended;
  await bad.release();
  assert.deepEqual([b.status, b.failure?.stage], [125, 'landlock']);
  assert.match(b.failure?.text ?? '', /line 1: expected 'tsem-landlock 1' first/);
});
