import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { JsonCell, TsemEventJson } from '../../proto/kernel-json.js';
import { AuditLogSource } from './audit-log-source.js';
import * as fx from './audit-log-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-auditlog-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ZERO64 = '0'.repeat(64);
const SHA256_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function mapLines(
  lines: string[]
): Promise<{ events: TsemEventJson[]; src: AuditLogSource }> {
  const file = join(dir, `log-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const src = new AuditLogSource({ file });
  await src.start();
  const events: TsemEventJson[] = [];
  for await (const e of src) {
    assert.equal(e.namespace, 'host');
    assert.equal(e.respond, undefined);
    events.push(e.event);
  }
  return { events, src };
}

const cell = (e: TsemEventJson) => e[e.event.type] as JsonCell;
const fileOf = (e: TsemEventJson) => cell(e)['file'] as JsonCell;

test('execve → file_open of the binary and of its ELF loader with exec flags, then bprm_committed_creds; COE from SYSCALL', async () => {
  const { events } = await mapLines(fx.EXECVE_LS);
  assert.deepEqual(
    events.map((e) => e.event.type),
    ['file_open', 'file_open', 'bprm_committed_creds']
  );
  // PATH item 1: the interpreter the kernel opened for exec (what Landlock checks for execute).
  assert.equal(fileOf(events[1]!)['flags'], '32800');
  assert.match((fileOf(events[1]!)['path'] as Record<string, string>)['pathname']!, /ld-linux/);
  const e = events[2]!;
  assert.deepEqual(e.event, {
    pid: '1001',
    ppid: '1000',
    process: 'ls',
    type: 'bprm_committed_creds',
    ts: '1700000000123000000',
  });
  // Capabilities are not in the log: capeff 0x0 offline.
  assert.deepEqual(e.COE, {
    uid: '1000',
    euid: '1002',
    suid: '1003',
    gid: '1001',
    egid: '1005',
    sgid: '1006',
    fsuid: '1004',
    fsgid: '1007',
    capeff: '0x0',
  });
  const f = fileOf(e);
  assert.equal(f['flags'], '32800');
  assert.deepEqual(f['path'], {
    dev: { major: '8', minor: '3' },
    type: 'root',
    pathname: '/usr/bin/ls',
  });
  assert.equal((f['inode'] as JsonCell)['mode'], '0100755');
  // Device 8:3 is not on this host: filesystem facts unknown, zero digest.
  assert.deepEqual(f['inode'], {
    uid: '0',
    gid: '0',
    mode: '0100755',
    s_magic: '0x0',
    s_id: '',
    s_uuid: '0'.repeat(32),
  });
  assert.equal(f['digest'], SHA256_EMPTY);
  assert.deepEqual(fileOf(events[0]!), f);
});

test('connect → socket_connect with the decoded AF_INET address', async () => {
  const { events } = await mapLines(fx.CONNECT_INET);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.event.type, 'socket_connect');
  assert.deepEqual(cell(events[0]!), {
    sock: { family: '2', type: '1', protocol: '6', owner: ZERO64 },
    addr: { af_inet: { port: '80', address: '127.0.0.1' } },
  });
});

test('openat of a created file: hex name joined to CWD, kernel f_flags, zero digest', async () => {
  const { events } = await mapLines(fx.OPENAT_CREATE);
  assert.equal(events.length, 1);
  const f = fileOf(events[0]!);
  // O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC → O_WRONLY|O_CLOEXEC|O_LARGEFILE (creation bits dropped)
  assert.equal(f['flags'], String(0o1 | 0o2000000 | 0o100000));
  assert.equal((f['path'] as JsonCell)['pathname'], '/home/user/my file.txt');
  assert.equal((f['inode'] as JsonCell)['uid'], '1000');
  assert.equal(f['digest'], SHA256_EMPTY);
});

test('kill, ptrace attach, mount, IPv6 bind and init_module map to their hooks', async () => {
  const { events, src } = await mapLines([
    ...fx.KILL_TERM,
    ...fx.PTRACE_ATTACH,
    ...fx.MOUNT_TMPFS,
    ...fx.BIND_INET6,
    ...fx.INIT_MODULE,
  ]);
  assert.deepEqual(
    events.map((e) => e.event.type),
    ['task_kill', 'ptrace_access_check', 'sb_mount', 'socket_bind', 'kernel_load_data']
  );
  assert.deepEqual(cell(events[0]!), { target: ZERO64, sig: '15', cross_ns: '0' });
  assert.deepEqual(cell(events[1]!), { child: ZERO64, mode: '18' });
  assert.deepEqual(cell(events[2]!), {
    path: { dev: { major: '8', minor: '3' }, type: 'root', pathname: '/mnt/data' },
    flags: '6',
  });
  assert.deepEqual(cell(events[3]!)['addr'], {
    af_inet6: { port: '8080', flow: '0', scope: '0', address: `${'00'.repeat(15)}01` },
  });
  assert.equal(events[3]!.COE.uid, '33');
  assert.deepEqual(cell(events[4]!), { id: '2', contents: '1' });
  assert.equal(src.stats()['events'], 5);
});

test('failed syscalls, single-record events and garbage lines are counted, not mapped', async () => {
  const { events, src } = await mapLines([
    ...fx.FAILED_OPEN,
    ...fx.USER_LOGIN,
    'garbage line',
    ...fx.CONNECT_INET,
  ]);
  assert.deepEqual(
    events.map((e) => e.event.type),
    ['socket_connect']
  );
  const s = src.stats();
  assert.equal(s['parseErrors'], 1);
  assert.equal(s['skipped'], 2);
  assert.match(src.firstError ?? '', /line 6: expected 'type=NAME msg=audit/);
});

test('a record group cut short (no EOE) is still mapped at end of file and counted incomplete', async () => {
  const { events, src } = await mapLines(fx.CONNECT_INET.slice(0, 2));
  assert.equal(events.length, 1);
  assert.equal(src.stats()['incomplete'], 1);
});

test('a missing log file is one clear error', async () => {
  await assert.rejects(
    new AuditLogSource({ file: join(dir, 'nope.log') }).start(),
    /audit log .*nope\.log does not exist/
  );
});
