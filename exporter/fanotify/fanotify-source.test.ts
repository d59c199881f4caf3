import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rootSkipReason } from '../../test/helpers/repo.js';
import { bindMount, type Tmpfs } from '../../test/helpers/kernel.js';
import type { JsonCell } from '../../proto/kernel-json.js';
import type { SourcedEvent } from '../source.js';
import { FanotifySource, fanotifyUnavailableReason } from './fanotify-source.js';
import type { FanotifyOptions } from './fanotify-options.js';

const unavailable = rootSkipReason() === undefined ? fanotifyUnavailableReason(true) : undefined;
const skip = rootSkipReason() ?? (unavailable && `fanotify unavailable here: ${unavailable}`);
let dir = '';

function run(
  cmd: string,
  args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, pid: child.pid ?? -1 }));
  });
}

/** Every source a test started: stopped after the suite even when an assertion failed, so a
 * fail-closed mark can never outlive its test. */
const started: FanotifySource[] = [];

/**
 * Starts a source on a directory mark of the test directory (narrow: only its children). The
 * directory is a bind mount of the suite's own, so that even a mount mark (a test that passes one)
 * holds nothing but the test's files: never the root mount's opens in enforce mode.
 */
async function startSource(extra: Partial<FanotifyOptions> = {}): Promise<FanotifySource> {
  const src = new FanotifySource({
    watch: [{ path: dir, mark: 'directory' }],
    ignoreChildren: false,
    ...extra,
  });
  await src.start();
  started.push(src);
  return src;
}

/** Consumes events, answering held ones with `decide`, until `until` matched or 5 s passed. */
async function consume(
  src: FanotifySource,
  decide: (e: SourcedEvent) => boolean,
  seen: SourcedEvent[]
): Promise<void> {
  for await (const e of src) {
    seen.push(e);
    e.respond?.(decide(e));
  }
}

function cellOf(e: SourcedEvent): {
  flags: string;
  inode: JsonCell;
  path: JsonCell;
  digest: string;
} {
  const hook = e.event.event.type;
  return (e.event[hook] as JsonCell)['file'] as never;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('fanotify source', { skip }, () => {
  let disk: Tmpfs | undefined;
  const unmount = () => disk?.unmount();
  before(() => {
    disk = bindMount();
    if (disk.skip) throw new Error(`the fanotify tests need a mount of their own: ${disk.skip}`);
    dir = disk.dir;
    // Whatever ends the process, the mount goes with it (marks go with the source's descriptor).
    process.once('exit', unmount);
  });
  after(async () => {
    await Promise.all(started.map((s) => s.stop()));
    unmount();
    process.off('exit', unmount);
  });

  test('a child opening a known file yields file_open with its path, owner, mode and SHA-256', async () => {
    const file = join(dir, 'known.txt');
    const content = Buffer.from('tsem fanotify known content\n');
    writeFileSync(file, content);
    chownSync(file, 1234, 2345);
    chmodSync(file, 0o640);
    const src = await startSource();
    const seen: SourcedEvent[] = [];
    const done = consume(src, () => true, seen);
    const child = await run('cat', [file]);
    assert.equal(child.stdout, content.toString());
    await waitFor(() => seen.some((e) => e.event.event.type === 'file_open'));
    await src.stop();
    await done;
    const ev = seen.find((e) => e.event.event.type === 'file_open');
    assert.ok(ev, 'no file_open event');
    assert.equal(ev.event.event.pid, String(child.pid));
    assert.equal(ev.event.event.process, 'cat');
    assert.equal(ev.event.event.ppid, String(process.pid));
    assert.equal(ev.namespace, `host@${hostname()}`, 'a made-up name says which host');
    const f = cellOf(ev);
    assert.equal(f.flags, '32768');
    assert.equal(f.path['pathname'], file);
    assert.equal(f.path['type'], 'root');
    const [major, minor] = execFileSync('stat', ['-c', '%Hd %Ld', file])
      .toString()
      .trim()
      .split(' ');
    assert.deepEqual(f.path['dev'], { major, minor });
    assert.equal(f.inode['uid'], '1234');
    assert.equal(f.inode['gid'], '2345');
    assert.equal(f.inode['mode'], '0100640');
    assert.equal(
      f.inode['s_magic'],
      `0x${execFileSync('stat', ['-f', '-c', '%t', file]).toString().trim()}`
    );
    assert.match(f.inode['s_uuid'] as string, /^[0-9a-f]{32}$/);
    assert.equal(f.digest, sha256(content));
    assert.equal(ev.event.COE.uid, '0');
    assert.match(ev.event.COE.capeff, /^0x[0-9a-f]+$/);
  });

  test('an exec yields file_open with exec flags, then bprm_committed_creds with the file and digest', async () => {
    const prog = join(dir, 'prog-true');
    copyFileSync('/bin/true', prog);
    chmodSync(prog, 0o755);
    const src = await startSource();
    const seen: SourcedEvent[] = [];
    const done = consume(src, () => true, seen);
    const child = await run(prog, []);
    assert.equal(child.code, 0);
    await waitFor(() => seen.some((e) => e.event.event.type === 'bprm_committed_creds'));
    await src.stop();
    await done;
    const types = seen
      .filter((e) => e.event.event.pid === String(child.pid))
      .map((e) => e.event.event.type);
    assert.deepEqual(types.slice(0, 2), ['file_open', 'bprm_committed_creds']);
    const exec = seen.find((e) => e.event.event.type === 'bprm_committed_creds')!;
    const f = cellOf(exec);
    assert.equal(f.path['pathname'], prog);
    assert.equal(f.flags, '32800');
    assert.equal(f.digest, sha256(readFileSync('/bin/true')));
    assert.equal(exec.event.event.task_id, undefined);
  });

  test('enforce: a denied exec fails with EPERM while an allowed one runs', async () => {
    const allowed = join(dir, 'allowed-echo');
    const denied = join(dir, 'denied-echo');
    copyFileSync('/bin/echo', allowed);
    copyFileSync('/bin/echo', denied);
    chmodSync(allowed, 0o755);
    chmodSync(denied, 0o755);
    const src = await startSource({ enforce: true, decisionTimeoutMs: 5000, failMode: 'open' });
    const seen: SourcedEvent[] = [];
    const done = consume(src, (e) => cellOf(e).path['pathname'] !== denied, seen);
    const no = await run('sh', ['-c', `${denied} hello`]);
    const yes = await run('sh', ['-c', `${allowed} hello`]);
    await src.stop();
    await done;
    assert.match(no.stderr, /Operation not permitted/);
    assert.equal(no.code, 126);
    assert.equal(no.stdout, '');
    assert.equal(yes.code, 0);
    assert.equal(yes.stdout, 'hello\n');
    const held = seen
      .filter((e) => e.respond !== undefined)
      .map((e) => cellOf(e).path['pathname'] as string);
    assert.ok(held.includes(denied) && held.includes(allowed), `held events: ${held.join(', ')}`);
    // The denied exec never committed, so it has no task identity event.
    const execs = seen
      .filter((e) => e.event.event.type === 'bprm_committed_creds')
      .map((e) => cellOf(e).path['pathname']);
    assert.deepEqual(execs, [allowed]);
  });

  test('enforce: with no verdict the timeout applies the fail mode (closed denies, open allows)', async () => {
    const prog = join(dir, 'timeout-true');
    copyFileSync('/bin/true', prog);
    chmodSync(prog, 0o755);
    for (const [failMode, code] of [
      ['closed', 126],
      ['open', 0],
    ] as const) {
      const src = await startSource({ enforce: true, decisionTimeoutMs: 200, failMode });
      const r = await run('sh', ['-c', prog]);
      assert.equal(r.code, code, `failMode ${failMode}: ${r.stderr}`);
      assert.ok(src.stats()['timedOut']! >= 1);
      await src.stop();
    }
  });

  test('enforce: our own opens are never held (no deadlock, no verdict needed)', async () => {
    const file = join(dir, 'own.txt');
    writeFileSync(file, 'own');
    const src = await startSource({ enforce: true, decisionTimeoutMs: 60_000, failMode: 'closed' });
    assert.equal(readFileSync(file, 'utf8'), 'own');
    // The reader thread counts after it answers, so the count may trail our open by a moment.
    for (let i = 0; i < 100 && !(src.stats()['autoAllowed']! >= 1); i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(src.stats()['autoAllowed']! >= 1);
    await src.stop();
  });

  test('a missing watch path is one clear error', async () => {
    const src = new FanotifySource({ watch: [join(dir, 'nope')] });
    await assert.rejects(src.start(), /fanotify watch path .*nope does not exist/);
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for events');
    await new Promise((r) => setTimeout(r, 20));
  }
}
