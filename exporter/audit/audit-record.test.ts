import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dec, num, parseLogLine, parseNetlinkRecord, text } from './audit-record.js';
import { EXECVE_LS, OPENAT_CREATE, USER_LOGIN } from './audit-log-fixture.js';

// BEGIN TEST DATA (hand-written, real-looking auditd lines; see audit-log-fixture.ts)
const VALID: Record<
  string,
  {
    line: string;
    type: string;
    serial: number;
    timeMs: number;
    checks: [string, 'text' | 'dec', string | undefined][];
  }
> = {
  'syscall-execve': {
    line: EXECVE_LS[0]!,
    type: 'SYSCALL',
    serial: 4242,
    timeMs: 1700000000123,
    checks: [
      ['comm', 'text', 'ls'],
      ['exe', 'text', '/usr/bin/ls'],
      ['euid', 'dec', '1002'],
      ['fsgid', 'dec', '1007'],
      ['key', 'text', 'tsem'],
    ],
  },
  'path-hex-name': {
    line: OPENAT_CREATE[3]!,
    type: 'PATH',
    serial: 4244,
    timeMs: 1700000002001,
    checks: [
      ['name', 'text', 'my file.txt'],
      ['nametype', 'text', 'CREATE'],
      ['ouid', 'dec', '1000'],
    ],
  },
  'cwd-quoted': {
    line: EXECVE_LS[2]!,
    type: 'CWD',
    serial: 4242,
    timeMs: 1700000000123,
    checks: [['cwd', 'text', '/home/user']],
  },
  'eoe-empty': {
    line: EXECVE_LS[6]!,
    type: 'EOE',
    serial: 4242,
    timeMs: 1700000000123,
    checks: [],
  },
  'user-record-nested-msg': {
    line: USER_LOGIN[0]!,
    type: 'USER_LOGIN',
    serial: 4251,
    timeMs: 1700000007000,
    checks: [
      ['pid', 'dec', '900'],
      [
        'msg',
        'text',
        'op=login id=1000 exe="/usr/sbin/sshd" hostname=? addr=127.0.0.1 terminal=/dev/pts/0 res=success',
      ],
    ],
  },
  'node-prefix': {
    line: 'node=web01 type=CWD msg=audit(1700000009.010:77): cwd="/srv"',
    type: 'CWD',
    serial: 77,
    timeMs: 1700000009010,
    checks: [['cwd', 'text', '/srv']],
  },
  'enriched-format-keeps-raw-fields': {
    line: 'type=SYSCALL msg=audit(1700000010.000:78): arch=c000003e syscall=62 success=yes exit=0 a0=3ea a1=9 items=0 ppid=1 pid=5 uid=0 comm="kill" key=(null)\x1dARCH=x86_64 SYSCALL=kill UID="root"',
    type: 'SYSCALL',
    serial: 78,
    timeMs: 1700000010000,
    checks: [
      ['comm', 'text', 'kill'],
      ['key', 'text', undefined],
      ['UID', 'text', undefined],
    ],
  },
};
const INVALID: Record<string, string> = {
  'not-audit': 'this is not an audit line',
  'no-stamp': 'type=SYSCALL msg=hello arch=c000003e',
  'bad-stamp': 'type=SYSCALL msg=audit(1700000000:4242): arch=c000003e',
  empty: '',
};
// END TEST DATA

for (const [name, c] of Object.entries(VALID)) {
  test(`audit log line parses: ${name}`, () => {
    const r = parseLogLine(c.line);
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.record.type, c.type);
    assert.equal(r.record.serial, c.serial);
    assert.equal(r.record.timeMs, c.timeMs);
    for (const [key, kind, want] of c.checks)
      assert.equal(kind === 'text' ? text(r.record, key) : dec(r.record, key), want, key);
  });
}

for (const [name, line] of Object.entries(INVALID)) {
  test(`audit log line is rejected with a reason: ${name}`, () => {
    const r = parseLogLine(line);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /expected/);
  });
}

test('hex SYSCALL arguments and octal modes read as numbers', () => {
  const sys = parseLogLine(OPENAT_CREATE[0]!);
  const path = parseLogLine(OPENAT_CREATE[3]!);
  assert.ok(sys.ok && path.ok);
  assert.equal(num(sys.record, 'a0', 16), 0xffffff9cn);
  assert.equal(num(sys.record, 'a2', 16), 0x80241n);
  assert.equal(num(path.record, 'mode', 8), 0o100644n);
  assert.equal(num(sys.record, 'exit'), 3n);
  assert.equal(num(sys.record, 'comm'), undefined);
});

test('netlink payloads parse with the type number mapped to its name', () => {
  const r = parseNetlinkRecord(1307, Buffer.from('audit(1700000000.123:4242): cwd="/home/user"\0'));
  assert.ok(r.ok);
  assert.equal(r.record.type, 'CWD');
  assert.equal(text(r.record, 'cwd'), '/home/user');
  const unknown = parseNetlinkRecord(1999, Buffer.from('audit(1700000000.123:1): x=1'));
  assert.ok(unknown.ok);
  assert.equal(unknown.record.type, 'UNKNOWN[1999]');
});
