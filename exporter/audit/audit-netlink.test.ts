import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ARCH_X86_64,
  auditSetPayload,
  parseAuditStatus,
  parseNlError,
  ruleDataPayload,
  syscallName,
} from './audit-netlink.js';
import { isOrphaned, ownedKey, parseRuleData, ruleOwner } from './audit-rules.js';

test('audit_rule_data: exit filter, always, syscall bitmask, arch/pid/ppid/key fields, key buffer', () => {
  const b = ruleDataPayload({
    arch: ARCH_X86_64,
    syscalls: [59, 42, 257],
    key: 'tsem',
    excludePids: [1234],
    ppid: 77,
  });
  const FIXED = 12 + 4 * 64 + 3 * 4 * 64 + 4; // sizeof(struct audit_rule_data) = 1040
  assert.equal(FIXED, 1040);
  assert.equal(b.length, FIXED + 4);
  assert.equal(b.readUInt32LE(0), 0x04); // AUDIT_FILTER_EXIT
  assert.equal(b.readUInt32LE(4), 2); // AUDIT_ALWAYS
  assert.equal(b.readUInt32LE(8), 4); // field_count
  const mask = (i: number) => b.readUInt32LE(12 + 4 * i);
  assert.equal(mask(1), (1 << (59 - 32)) | (1 << (42 - 32)));
  assert.equal(mask(8), 1 << (257 - 256));
  const fields = [0, 1, 2, 3].map((i) => [
    b.readUInt32LE(268 + 4 * i),
    b.readUInt32LE(524 + 4 * i),
    b.readUInt32LE(780 + 4 * i),
  ]);
  assert.deepEqual(fields, [
    [11, ARCH_X86_64, 0x40000000], // arch == x86_64
    [18, 77, 0x40000000], // ppid == 77
    [0, 1234, 0x30000000], // pid != 1234
    [210, 4, 0x40000000], // key, length 4
  ]);
  assert.equal(b.readUInt32LE(1036), 4);
  assert.equal(b.subarray(1040).toString(), 'tsem');
});

test('audit_status set/parse and NLMSG_ERROR', () => {
  const set = auditSetPayload(4321, 1);
  assert.equal(set.readUInt32LE(0), 0x5);
  assert.equal(set.readUInt32LE(4), 1);
  assert.equal(set.readUInt32LE(12), 4321);
  const status = Buffer.alloc(44);
  [0, 1, 1, 99, 0, 8192, 17, 3].forEach((v, i) => status.writeUInt32LE(v, 4 * i));
  assert.deepEqual(parseAuditStatus(status), {
    enabled: 1,
    failure: 1,
    pid: 99,
    rateLimit: 0,
    backlogLimit: 8192,
    lost: 17,
    backlog: 3,
  });
  assert.equal(parseAuditStatus(Buffer.alloc(8)), undefined);
  const err = Buffer.alloc(20);
  err.writeInt32LE(-17, 0);
  err.writeUInt32LE(9, 12);
  assert.deepEqual(parseNlError(err), { errno: 17, seq: 9 });
});

test('syscall numbers resolve per arch', () => {
  assert.equal(syscallName(ARCH_X86_64, 59), 'execve');
  assert.equal(syscallName(0xc00000b7, 221), 'execve');
  assert.equal(syscallName(ARCH_X86_64, 0), undefined);
  assert.equal(syscallName(0x40000003, 11), undefined);
});

test('a rule holds at most 64 fields: pids beyond that are left to the reader', () => {
  const pids = Array.from({ length: 100 }, (_, i) => 1000 + i);
  const rule = parseRuleData(
    ruleDataPayload({ arch: ARCH_X86_64, syscalls: [2], key: 'k', excludePids: pids })
  )!;
  assert.equal(rule.fields.length, 64);
  const excluded = rule.fields.filter((f) => f.field === 0).map((f) => f.value);
  assert.deepEqual(excluded, pids.slice(0, 62));
  assert.deepEqual(rule.keys, ['k']);
});

test('rules carry their owner; orphans are those whose owner is gone or was another process', () => {
  const me = { pid: 4242, start: '777' };
  const key = ownedKey('tsem', me);
  assert.equal(key, 'tsem\x01tsem-owner=4242.777');
  const rule = parseRuleData(
    ruleDataPayload({ arch: ARCH_X86_64, syscalls: [2], key, excludePids: [4242, 9] })
  )!;
  assert.deepEqual(rule.keys, ['tsem', 'tsem-owner=4242.777']);
  assert.deepEqual(ruleOwner(rule), { pid: 4242, start: '777' });
  assert.equal(
    isOrphaned(rule, () => undefined),
    true
  );
  assert.equal(
    isOrphaned(rule, () => ({ start: '777' })),
    false
  );
  assert.equal(
    isOrphaned(rule, () => ({ start: '778' })),
    true,
    'the pid was reused'
  );
  // A rule of an earlier release: key 'tsem', owner named by its pid != field only.
  const legacy = parseRuleData(
    ruleDataPayload({ arch: ARCH_X86_64, syscalls: [2], key: 'tsem-test', excludePids: [31] })
  )!;
  assert.deepEqual(ruleOwner(legacy), { pid: 31 });
  assert.equal(
    isOrphaned(legacy, () => ({ start: '1' })),
    false
  );
  assert.equal(
    isOrphaned(legacy, () => undefined),
    true
  );
  // Somebody else's rule is never touched.
  const theirs = parseRuleData(
    ruleDataPayload({ arch: ARCH_X86_64, syscalls: [2], key: 'audit-wx', excludePids: [31] })
  )!;
  assert.equal(
    isOrphaned(theirs, () => undefined),
    false
  );
  assert.equal(parseRuleData(Buffer.alloc(10)), undefined);
  assert.throws(() => ownedKey('k'.repeat(250), me), /too long/);
});
