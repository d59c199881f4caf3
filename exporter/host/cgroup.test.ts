import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroupIdOf, findCgroup2Mount, TaskCgroups, unifiedCgroupPath } from './cgroup.js';

// /proc/self/mountinfo lines in the kernel's format (fs/proc_namespace.c), hand-written.
const HYBRID = [
  '30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '32 30 0:28 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory',
].join('\n');
const UNIFIED =
  '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw\n';
const ELSEWHERE = '40 24 0:31 / /mnt/cg2 rw,relatime - cgroup2 none rw\n';

test('the v2 mount: /sys/fs/cgroup in unified mode, /sys/fs/cgroup/unified in hybrid mode, else any', () => {
  assert.equal(findCgroup2Mount(UNIFIED), '/sys/fs/cgroup');
  assert.equal(findCgroup2Mount(HYBRID), '/sys/fs/cgroup/unified');
  assert.equal(findCgroup2Mount(ELSEWHERE + HYBRID), '/sys/fs/cgroup/unified');
  assert.equal(findCgroup2Mount(ELSEWHERE), '/mnt/cg2');
  assert.equal(findCgroup2Mount(HYBRID.split('\n')[2]!), undefined, 'v1 only');
  assert.equal(findCgroup2Mount(''), undefined);
});

test('the v2 path of /proc/PID/cgroup: the 0:: line only, without the (deleted) mark', () => {
  assert.equal(unifiedCgroupPath('4:memory:/a\n0::/tsem/42-7-web\n'), '/tsem/42-7-web');
  assert.equal(unifiedCgroupPath('0::/gone (deleted)\n'), '/gone');
  assert.equal(unifiedCgroupPath('0::/\n'), '/');
  assert.equal(unifiedCgroupPath('4:memory:/a\n'), undefined, 'no v2 membership (v1 only)');
});

test('a cgroup id is the inode number of its directory (any directory for the reader)', () => {
  assert.match(cgroupIdOf('/'), /^\d+$/);
});

/** A fake /proc: pid → cgroup path (undefined: the process is gone); ids are the path's length. */
function fakeHost() {
  const procs = new Map<number, string>();
  let now = 0;
  const reads: number[] = [];
  const cg = new TaskCgroups({
    mount: '/cg',
    ttlMs: 1000,
    maxTasks: 3,
    now: () => now,
    readProcCgroup: (pid) => {
      reads.push(pid);
      const p = procs.get(pid);
      return p === undefined ? undefined : `0::${p}\n`;
    },
    idOf: (dir) => {
      if (dir.endsWith('/removed')) throw new Error('ENOENT');
      return `id:${dir}`;
    },
  });
  return { cg, procs, reads, tick: (ms: number) => (now += ms) };
}

test('cached per task; an exec or an old entry re-reads; a process gone keeps its last cgroup', () => {
  const h = fakeHost();
  h.procs.set(10, '/outer');
  assert.equal(h.cg.of(10), 'id:/cg/outer');
  assert.equal(h.cg.of(10), 'id:/cg/outer');
  assert.deepEqual(h.reads, [10], 'the second lookup is cached');
  // The launcher moves itself into the canister, then execs: the exec re-reads.
  h.procs.set(10, '/tsem/1-2-web');
  assert.equal(h.cg.of(10), 'id:/cg/outer', 'within the ttl, without exec: the cached value');
  assert.equal(h.cg.of(10, { fresh: true }), 'id:/cg/tsem/1-2-web');
  // Moved without exec: seen once the ttl passed.
  h.procs.set(10, '/elsewhere');
  h.tick(1001);
  assert.equal(h.cg.of(10), 'id:/cg/elsewhere');
  h.procs.delete(10);
  h.tick(5000);
  assert.equal(h.cg.of(10, { fresh: true }), 'id:/cg/elsewhere', 'gone: the last value known');
  assert.deepEqual(h.cg.counts, { read: 3, fromCache: 1, fromParent: 0, unknown: 0 });
});

test("a process gone before it was seen takes its parent's cgroup (fork inherits it), else it is unknown", () => {
  const h = fakeHost();
  h.procs.set(20, '/tsem/1-2-web');
  assert.equal(h.cg.of(21, { ppid: 20 }), 'id:/cg/tsem/1-2-web', 'live parent');
  h.procs.delete(20);
  assert.equal(h.cg.of(22, { ppid: 20 }), 'id:/cg/tsem/1-2-web', 'cached parent');
  assert.equal(h.cg.of(23, { ppid: 99 }), undefined, 'parent unknown too');
  assert.equal(h.cg.of(24), undefined, 'no parent given');
  assert.equal(h.cg.counts.fromParent, 2);
  assert.equal(h.cg.counts.unknown, 2);
});

test('a removed cgroup has no id; memory is bounded (oldest task forgotten); no v2 mount resolves nothing', () => {
  const h = fakeHost();
  h.procs.set(1, '/removed');
  assert.equal(h.cg.of(1), undefined);
  for (const pid of [2, 3, 4, 5]) {
    h.procs.set(pid, `/p${pid}`);
    h.cg.of(pid);
  }
  for (const pid of [1, 2, 3, 4, 5]) h.procs.delete(pid);
  assert.equal(h.cg.of(2), undefined, 'forgotten: beyond maxTasks');
  assert.equal(h.cg.of(5), 'id:/cg/p5');
  const none = new TaskCgroups({ mount: null, readProcCgroup: () => '0::/x\n' });
  assert.equal(none.enabled, false);
  assert.equal(none.of(1), undefined);
});
