/**
 * `tsem run` on bad input and when things fail around it (root: cgroups): each case gives a clear
 * error and its own exit status (125 tsem run, 126 not executable, 127 not found) and leaves
 * nothing behind: no canister cgroup, no process or Linux namespace of the run, and a namespace
 * created for the run only if events arrived. A killed `tsem run` takes its workload with it, and
 * the empty cgroup it left is removed by the next run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { cgroup2Mount } from '../../exporter/host/cgroup.js';
import { sweepStaleCanisters } from '../../cli/run/canister-cgroup.js';
import { canisterCgroups, canisterSkipReason, tsem } from '../helpers/canister.js';
import { repoRoot } from '../helpers/repo.js';

const skip = canisterSkipReason();
const GRACE_MS = 300;
let engine: RunningEngine | undefined;
let dir = '';
let conn: string[] = [];
let cgroupsBefore: string[] = [];

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tsem-canister-bad-'));
  engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    log: () => undefined,
    canisterGraceMs: GRACE_MS,
  });
  conn = ['--server', engine.address, '--data', join(dir, 'data')];
  // Start from what other runs left: stale empty cgroups would go with the first run here.
  sweepStaleCanisters(cgroup2Mount()!);
  cgroupsBefore = canisterCgroups();
});
after(async () => {
  await engine?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Processes whose command line holds `token` (the run's helper, init or workload). */
function processesWith(token: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(token)) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Nothing of the run is left: cgroups as before, no process naming `token`, no canister running. */
function nothingLeft(token?: string): void {
  assert.deepEqual(canisterCgroups(), cgroupsBefore, 'no canister cgroup left');
  if (token)
    assert.deepEqual(processesWith(token), [], 'no process (nor its Linux namespaces) left');
  assert.deepEqual(
    engine!.canisterRoutes.list().filter((r) => r.finishedMs === 0),
    [],
    'no canister running'
  );
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test(
  'usage errors: no command, no namespace or label, a bad --unshare: 125, nothing created',
  { skip },
  async () => {
    const noCommand = await tsem(['run', ...conn, '--label', 'bad1']);
    assert.equal(noCommand.code, 125);
    assert.match(noCommand.stderr, /expected the command to run after --/);
    const noName = await tsem(['run', ...conn, '--', 'true']);
    assert.equal(noName.code, 125);
    assert.match(noName.stderr, /expected --namespace NS or --label LABEL/);
    const badUnshare = await tsem([
      'run',
      ...conn,
      '--label',
      'bad1',
      '--unshare',
      'ipc',
      '--',
      'true',
    ]);
    assert.equal(badUnshare.code, 125);
    assert.match(
      badUnshare.stderr,
      /--unshare expects a comma list of mnt, pid, user, net, got 'ipc'/
    );
    assert.equal(engine!.registry.get('bad1'), undefined);
    nothingLeft();
  }
);

test(
  'an unknown or malformed model file: 125 naming the file or line, nothing created',
  { skip },
  async () => {
    const missing = await tsem([
      'run',
      ...conn,
      '--label',
      'bad2',
      '--model',
      join(dir, 'nope.model'),
      '--',
      'true',
    ]);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /cannot read model file '.*nope\.model': ENOENT/);
    const bad = join(dir, 'bad.model');
    writeFileSync(bad, 'state 12\nend\n');
    const malformed = await tsem(['run', ...conn, '--label', 'bad2', '--model', bad, '--', 'true']);
    assert.equal(malformed.code, 125);
    assert.match(
      malformed.stderr,
      /cannot register the canister.*model line 1: 'state' value has 2 hex characters, expected 64/
    );
    assert.equal(engine!.registry.get('bad2'), undefined, 'the namespace made for it went with it');
    nothingLeft();
  }
);

test(
  'no cgroup v2 hierarchy (unmounted in a mount namespace of its own): 125, nothing created',
  { skip },
  async () => {
    const unmountAll =
      'awk \'$(NF-2) == "cgroup2" {print $5}\' /proc/self/mountinfo | xargs -r -n1 umount -l && exec "$@"';
    const r = await tsem(['run', ...conn, '--label', 'bad3', '--', 'true'], {
      prefix: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', unmountAll, 'sh'],
    });
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /no cgroup v2 hierarchy is mounted/);
    assert.equal(engine!.registry.get('bad3'), undefined);
    nothingLeft();
  }
);

test(
  'a command not found (127) or not executable (126); its empty namespace goes after the grace period',
  { skip },
  async () => {
    const token = `tsem-missing-${process.pid}`;
    const r = await tsem([
      'run',
      ...conn,
      '--label',
      'bad4',
      '--unshare',
      'pid,mnt,net,user',
      '--',
      token,
    ]);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /exec: No such file or directory \(ENOENT\)/);
    nothingLeft(token);
    const plain = join(dir, 'not-executable');
    writeFileSync(plain, 'data\n');
    const n = await tsem(['run', ...conn, '--label', 'bad4', '--', plain]);
    assert.equal(n.code, 126);
    assert.match(n.stderr, /exec: Permission denied \(EACCES\)/);
    await waitFor(
      'the empty namespace to go',
      () => engine!.registry.get('bad4') === undefined,
      GRACE_MS * 10
    );
    nothingLeft();
  }
);

test('the engine unreachable: 125, the cgroup made for the run removed', { skip }, async () => {
  const r = await tsem([
    'run',
    '--server',
    '127.0.0.1:1',
    '--data',
    join(dir, 'data'),
    '--label',
    'bad5',
    '--',
    'true',
  ]);
  assert.equal(r.code, 125);
  assert.match(
    r.stderr,
    /cannot register the canister with the engine: cannot connect to 127\.0\.0\.1:1/
  );
  nothingLeft();
});

test(
  'a killed tsem run takes its workload along; the next run removes the empty cgroup it left',
  { skip },
  async () => {
    const token = `tsem-killed-${process.pid}`;
    const bin = join(repoRoot(), 'bin', 'tsem.js');
    const p = spawn(
      process.execPath,
      [
        bin,
        'run',
        ...conn,
        '--label',
        'killed',
        '--unshare',
        'pid',
        '--',
        'sh',
        '-c',
        `sleep 30; : ${token}`,
      ],
      { stdio: 'ignore' }
    );
    const inCgroup = () => {
      const r = engine!.canisterRoutes
        .list()
        .find((x) => x.namespace === 'killed' && x.finishedMs === 0);
      return r
        ? readFileSync(join(cgroup2Mount()!, r.cgroupPath, 'cgroup.procs'), 'utf8').trim()
        : '';
    };
    await waitFor('the workload to run in its cgroup', () => inCgroup() !== '');
    p.kill('SIGKILL');
    await waitFor('its workload to die with it', () => processesWith(token).length === 0);
    await waitFor('the engine to end the abandoned canister', () =>
      engine!.canisterRoutes.list().every((r) => r.finishedMs !== 0)
    );
    assert.equal(canisterCgroups().length, cgroupsBefore.length + 1, 'an empty cgroup is left');
    const next = await tsem(['run', ...conn, '--label', 'killed', '--', 'true']);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, /removed 1 empty canister cgroup\(s\) left by killed runs/);
    nothingLeft(token);
  }
);
