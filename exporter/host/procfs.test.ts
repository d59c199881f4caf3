import { readFileSync, readlinkSync } from 'node:fs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  capeffHex,
  parseStatPpid,
  parseStatStart,
  parseStatusCoe,
  readProcessFacts,
  readProcessIdentity,
} from './procfs.js';

// Hand-written /proc/PID/status excerpt in the kernel's format (fs/proc/array.c).
const STATUS =
  'Name:\tsshd\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t812\nPPid:\t1\nUid:\t1000\t1001\t1002\t1003\nGid:\t2000\t2001\t2002\t2003\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001fdffffffff\n';

test('COE from /proc/PID/status: real, effective, saved, fs ids and CapEff as 0x hex', () => {
  assert.deepEqual(parseStatusCoe(STATUS), {
    uid: '1000',
    euid: '1001',
    suid: '1002',
    fsuid: '1003',
    gid: '2000',
    egid: '2001',
    sgid: '2002',
    fsgid: '2003',
    capeff: '0x1fdffffffff',
  });
  assert.equal(parseStatusCoe('Name:\tx\n'), undefined);
  assert.equal(
    parseStatusCoe(STATUS.replace('CapEff:\t000001fdffffffff', 'CapEff:\tzz')),
    undefined
  );
  assert.equal(capeffHex(0n), '0x0');
});

test('ppid from /proc/PID/stat even when comm holds spaces and parentheses', () => {
  assert.equal(parseStatPpid('1234 (bash) S 1200 1234 1234 34816'), 1200);
  assert.equal(parseStatPpid('99 (we ird) (x) R 7 99 99 0'), 7);
  assert.equal(parseStatPpid('garbage'), undefined);
});

test('facts of our own process', () => {
  const f = readProcessFacts(process.pid);
  assert.equal(f.ppid, process.ppid);
  assert.equal(f.coe?.uid, String(process.getuid?.()));
  assert.ok(f.comm.length > 0);
  const gone = readProcessFacts(0x3fffffff);
  assert.equal(gone.coe, undefined);
});

test('parseStatStart: field 22 of /proc/PID/stat, after a comm with spaces and parentheses', () => {
  const rest = ' S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20';
  assert.equal(parseStatStart(`77 (a) b)${rest}`), '987654');
  assert.equal(
    parseStatStart(readFileSync('/proc/self/stat', 'utf8'))?.match(/^\d+$/)?.[0] !== undefined,
    true
  );
  assert.equal(parseStatStart('77 (x'), undefined);
});

test('start time from /proc/PID/stat (field 22), and this process identifies itself', () => {
  const stat =
    '1234 (a) b) S 1200 1234 1234 34816 1234 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10';
  assert.equal(parseStatStart(stat), '987654');
  assert.equal(parseStatStart('garbage'), undefined);
  const me = readProcessIdentity(process.pid);
  assert.ok(me);
  assert.equal(me.exe, readlinkSync('/proc/self/exe'));
  assert.equal(me.uids[0], process.getuid?.());
  assert.equal(readProcessIdentity(2 ** 22 + 1), undefined);
});
