import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEventGroup } from './audit-assembler.js';
import { parseNetlinkRecord } from './audit-record.js';
import { LandlockDomains } from './landlock-domains.js';

// Records as this kernel (Landlock ABI 7) sent them (docs/landlock.md §5): the domain is logged
// with its first denial, after the LANDLOCK_ACCESS record of the same event.
const T = 'audit(1796037353.476:1862471): ';
const rec = (type: number, body: string) => {
  const r = parseNetlinkRecord(type, Buffer.from(T + body));
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.record;
};
const ACCESS = rec(1423, 'domain=1deaee1d1 blockers=net.connect_tcp daddr=127.0.0.1 dest=9');
const ALLOCATED = rec(
  1424,
  'domain=1deaee1d1 status=allocated mode=enforcing pid=13720 uid=0 exe="/opt/tsem/build/Release/tsem-launch" comm="tsem-launch"'
);
const SYSCALL = rec(
  1300,
  'arch=c000003e syscall=42 success=no exit=-13 a0=3 a1=5 a2=10 a3=0 items=0 ppid=13712 pid=13730 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="bash" exe="/usr/bin/bash" key=(null)'
);
const DEALLOCATED = rec(1424, 'domain=1deaee1d1 status=deallocated denials=4');
const group = (...records: AuditEventGroup['records']): AuditEventGroup => ({
  serial: 1862471,
  timeMs: 0,
  records,
});

test("a denial's domain names its creator, read as the domain record arrived; later denials too", () => {
  const asked: number[] = [];
  const d = new LandlockDomains((pid) => (asked.push(pid), '4242'));
  // In arrival order: the ACCESS record comes before the DOMAIN record of its event.
  for (const r of [ACCESS, ALLOCATED, SYSCALL]) d.observe(r);
  assert.deepEqual(asked, [13720], "the creator's start time, not the denying process's");
  const first = { domain: '1deaee1d1', creator: { pid: 13720, start: '4242' } };
  assert.deepEqual(d.refOf(group(ACCESS, ALLOCATED, SYSCALL)), first);
  // A later denial of the same domain (its own event, no DOMAIN record), by a process long gone.
  assert.deepEqual(d.refOf(group(ACCESS, SYSCALL)), first);
  assert.equal(d.refOf(group(SYSCALL)), undefined, 'not a denial');
  // The domain's last process gone: forgotten.
  d.observe(DEALLOCATED);
  assert.deepEqual(d.refOf(group(ACCESS, SYSCALL)), { domain: '1deaee1d1' });
  assert.deepEqual(d.counts, { allocated: 1, deallocated: 1, creatorUnknown: 1 });
});

test('a creator already reaped is named by pid alone; domains are bounded', () => {
  const d = new LandlockDomains(() => undefined, 2);
  d.observe(ALLOCATED);
  assert.deepEqual(d.refOf(group(ACCESS)), { domain: '1deaee1d1', creator: { pid: 13720 } });
  for (const id of ['a1', 'a2'])
    d.observe(rec(1424, `domain=${id} status=allocated mode=enforcing pid=7 uid=0`));
  assert.equal(d.size, 2);
  assert.deepEqual(d.refOf(group(ACCESS)), { domain: '1deaee1d1' }, 'the oldest went first');
  // Malformed records change nothing.
  d.observe(rec(1424, 'domain=zz status=allocated pid=9'));
  d.observe(rec(1424, 'domain=b1 status=allocated pid=-1'));
  assert.equal(d.size, 2);
});
