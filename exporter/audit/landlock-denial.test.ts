import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AuditEventGroup } from './audit-assembler.js';
import { HostFacts } from './audit-host.js';
import { mapAuditGroup } from './audit-mapper.js';
import { parseNetlinkRecord } from './audit-record.js';
import { ipv6Hex } from './landlock-denial.js';

// Records as this kernel (6.18, Landlock ABI 7) sent them on NETLINK_AUDIT when a workload
// restricted with LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON was denied (pids and times kept).
const SYS = (nr: number, exit: number, a: string[]) =>
  `audit(1796037353.476:1862471): arch=c000003e syscall=${nr} success=no exit=${exit} a0=${a[0]} a1=${a[1]} a2=${a[2]} a3=0 items=0 ppid=13712 pid=13720 auid=4294967295 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=(none) ses=4294967295 comm="bash" exe="/usr/bin/bash" key=(null)`;

function group(...records: [number, string][]): AuditEventGroup {
  const parsed = records.map(([type, body]) => {
    const r = parseNetlinkRecord(type, Buffer.from(body));
    assert.ok(r.ok, r.ok ? '' : r.error);
    return r.record;
  });
  return { serial: 1862471, timeMs: 1796037353476, records: parsed };
}

const dir = mkdtempSync(join(tmpdir(), 'tsem-ll-'));
const known = join(dir, 'known');
writeFileSync(known, 'hi\n');
const ino = statSync(known).ino;
const host = new HostFacts(false, 'sha256');
const access = (body: string): [number, string] => [
  1423,
  `audit(1796037353.476:1862471): domain=1deaee1d1 ${body}`,
];

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a denied write (open O_WRONLY|O_APPEND) is the file_open the hook would have reported', async () => {
  const r = await mapAuditGroup(
    group(
      access(`blockers=fs.write_file path="${known}" dev="vda" ino=${ino}`),
      [
        1424,
        'audit(1796037353.476:1862471): domain=1deaee1d1 status=allocated mode=enforcing pid=13720 uid=0 exe="/tmp/try" comm="try"',
      ],
      [1300, SYS(257, -13, ['ffffff9c', '560a97df2530', '441'])]
    ),
    host
  );
  assert.equal(r.events.length, 1, 'skipped' in r ? r.skipped : '');
  const e = r.events[0]!;
  assert.equal(e.event.type, 'file_open');
  assert.equal(e.event.pid, '13720');
  assert.equal(e.COE.uid, '1000');
  const file = (e['file_open'] as { file: { flags: string; path: { pathname: string } } }).file;
  // O_WRONLY|O_APPEND|O_LARGEFILE, O_CREAT cleared as in f_flags
  assert.equal(file.flags, String(0o1 | 0o2000 | 0o100000));
  assert.equal(file.path.pathname, known);
  assert.equal(e.event.landlock, 'fs.write_file', 'marked with the right the kernel denied');
});

test('a denied exec is file_open with exec flags', async () => {
  const r = await mapAuditGroup(
    group(access(`blockers=fs.execute,fs.read_file path="${known}" dev="vda" ino=${ino}`), [
      1300,
      SYS(59, -13, ['560a97df55f0', '560a97df2550', '560a97df7500']),
    ]),
    host
  );
  const file = (r.events[0]?.['file_open'] as { file: { flags: string } } | undefined)?.file;
  assert.equal(file?.flags, '32800');
  assert.equal(r.events[0]?.event.landlock, 'fs.execute,fs.read_file');
});

test('a denied TCP connect is socket_connect to daddr:dest; IPv6 spelled as the CELL wants', async () => {
  const r = await mapAuditGroup(
    group(access('blockers=net.connect_tcp daddr=127.0.0.1 dest=9'), [
      1300,
      SYS(42, -13, ['3', '560a97df7bd0', '10']),
    ]),
    host
  );
  assert.deepEqual(r.events[0]?.['socket_connect'], {
    sock: { family: '2', type: '1', protocol: '6', owner: host.zeroTaskId },
    addr: { af_inet: { port: '9', address: '127.0.0.1' } },
  });
  const r6 = await mapAuditGroup(
    group(access('blockers=net.bind_tcp saddr=::1 src=8080'), [
      1300,
      SYS(49, -13, ['3', '0', '1c']),
    ]),
    host
  );
  assert.equal(r6.events[0]?.event.type, 'socket_bind');
  assert.equal(ipv6Hex('::1'), `${'0'.repeat(31)}1`);
  assert.equal(ipv6Hex('::ffff:10.0.0.1'), '00000000000000000000ffff0a000001');
  assert.equal(ipv6Hex('fe80::1:2'), 'fe800000000000000000000000010002');
  assert.equal(ipv6Hex('nonsense'), undefined);
});

test('a signal out of the scope is task_kill; unmapped blockers are skipped with why', async () => {
  const r = await mapAuditGroup(
    group(access('blockers=scope.signal opid=1 ocomm="init"'), [
      1300,
      SYS(62, -1, ['1', 'f', '0']),
    ]),
    host
  );
  assert.equal(r.events[0]?.event.type, 'task_kill');
  assert.equal((r.events[0]?.['task_kill'] as { sig: string }).sig, '15');
  const s = await mapAuditGroup(
    group(access(`blockers=fs.make_reg path="${dir}" dev="vda" ino=1`), [
      1300,
      SYS(257, -13, ['ffffff9c', '0', '241']),
    ]),
    host
  );
  assert.equal(s.events.length, 0);
  assert.match('skipped' in s ? s.skipped : '', /fs\.make_reg: no TSEM event is mapped/);
  const gone = await mapAuditGroup(
    group(access(`blockers=fs.read_file path="${dir}/nothing" dev="vda" ino=5`), [
      1300,
      SYS(257, -13, ['ffffff9c', '0', '0']),
    ]),
    host
  );
  assert.match('skipped' in gone ? gone.skipped : '', /is gone/);
});

test("an O_PATH open (the launcher's Landlock rules) is no file_open: the hook never runs for it", async () => {
  const ok = (a2: string) =>
    SYS(257, 3, ['ffffff9c', '0', a2]).replace('success=no exit=3', 'success=yes exit=3');
  const path: [number, string] = [
    1302,
    `audit(1796037353.476:1862471): item=0 name="${known}" inode=${ino} dev=fe:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
  ];
  const opath = await mapAuditGroup(group([1300, ok('288000')], path), host);
  assert.deepEqual([opath.events.length, 'skipped' in opath && opath.skipped], [0, 'O_PATH open']);
  const plain = await mapAuditGroup(group([1300, ok('80000')], path), host);
  assert.equal(plain.events[0]?.event.type, 'file_open');
});
