import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rootSkipReason } from '../../test/helpers/repo.js';
import { DaemonPeers, registerDaemon, scanDaemons } from './daemon-registry.js';
import { readProcessIdentity } from './procfs.js';

const skip = rootSkipReason();
const NOBODY = 65534;

/** A child that registers itself in `dir` and waits; resolves once its entry exists. */
async function registeredChild(dir: string) {
  const mod = new URL('./daemon-registry.js', import.meta.url).href;
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { registerDaemon } from '${mod}'; registerDaemon('exporter', ${JSON.stringify(dir)}); setInterval(() => {}, 1000);`,
    ],
    { stdio: 'ignore' }
  );
  const file = join(dir, `${child.pid}.json`);
  for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(existsSync(file), 'the child registered');
  return child;
}

test(
  'a registered root daemon is a peer until it dies; its stale entry is then removed',
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-reg-'));
    const peers = new DaemonPeers(dir);
    let changes = 0;
    const unsubscribe = peers.subscribe(() => changes++);
    const child = await registeredChild(dir);
    try {
      for (let i = 0; i < 100 && !peers.has(child.pid!); i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.ok(peers.has(child.pid!), 'the watcher saw the new daemon');
      assert.ok(changes >= 1);
      assert.deepEqual([...scanDaemons(dir)], [child.pid]);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // kill -9: no exit handler ran, the entry stays until someone finds its process gone.
      assert.ok(existsSync(join(dir, `${child.pid}.json`)));
      assert.deepEqual([...scanDaemons(dir)], []);
      assert.ok(!existsSync(join(dir, `${child.pid}.json`)), 'stale entry removed');
    } finally {
      unsubscribe();
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }
);

test('forged or unsafe entries never count', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-reg-'));
  const victim = spawn('sleep', ['30'], { stdio: 'ignore', uid: NOBODY, gid: NOBODY });
  const rootSleep = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const entry = (pid: number, over: object = {}) => {
      const id = readProcessIdentity(pid)!;
      return JSON.stringify({ pid, start: id.start, exe: id.exe, role: 'engine', ...over });
    };
    // Not root's process: a user cannot hide its workload by naming it.
    writeFileSync(join(dir, `${victim.pid}.json`), entry(victim.pid!));
    // Root's process, but another start time (a reused pid) or another executable.
    writeFileSync(join(dir, `${rootSleep.pid}.json`), entry(rootSleep.pid!, { start: '1' }));
    assert.deepEqual([...scanDaemons(dir)], []);
    assert.ok(!existsSync(join(dir, `${rootSleep.pid}.json`)), 'the reused-pid entry is stale');
    writeFileSync(
      join(dir, `${rootSleep.pid}.json`),
      entry(rootSleep.pid!, { exe: '/usr/bin/node' })
    );
    assert.deepEqual([...scanDaemons(dir)], []);
    // A true entry counts...
    writeFileSync(join(dir, `${rootSleep.pid}.json`), entry(rootSleep.pid!));
    assert.equal(
      readlinkSync(`/proc/${rootSleep.pid}/exe`),
      readProcessIdentity(rootSleep.pid!)!.exe
    );
    assert.deepEqual([...scanDaemons(dir)], [rootSleep.pid]);
    // ...unless someone else could have written it: the file or the directory.
    chmodSync(join(dir, `${rootSleep.pid}.json`), 0o666);
    assert.deepEqual([...scanDaemons(dir)], []);
    chmodSync(join(dir, `${rootSleep.pid}.json`), 0o644);
    chownSync(join(dir, `${rootSleep.pid}.json`), NOBODY, NOBODY);
    assert.deepEqual([...scanDaemons(dir)], []);
    chownSync(join(dir, `${rootSleep.pid}.json`), 0, 0);
    chmodSync(dir, 0o777);
    assert.deepEqual([...scanDaemons(dir)], []);
    chmodSync(dir, 0o755);
    assert.deepEqual([...scanDaemons(dir)], [rootSleep.pid]);
  } finally {
    victim.kill('SIGKILL');
    rootSleep.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('registering needs root and is idempotent', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-reg-'));
  try {
    assert.equal(registerDaemon('engine', dir), true);
    assert.equal(registerDaemon('engine', dir), true);
    assert.ok(existsSync(join(dir, `${process.pid}.json`)));
    // Our own entry is never a peer of ours.
    assert.deepEqual([...scanDaemons(dir)], []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
