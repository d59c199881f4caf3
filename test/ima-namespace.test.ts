/**
 * Per-namespace IMA: the same file executed in two namespaces is measured once in each (ima-ns
 * entries carry the namespace id), a change re-measures, and a child's policy cannot switch off
 * a host rule (hierarchical evaluation, ima.md §6).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashBytes } from '../engine/ima/hash-algo.js';
import { ImaNamespace, type FileEvent } from '../engine/ima/ima-namespace.js';
import { parseBinaryList } from '../engine/ima/measurement-list-binary.js';
import { parsePolicy } from '../engine/ima/policy-parse.js';
import { verifyList } from '../engine/ima/pcr-replay.js';

const root = { uid: 0, euid: 0, gid: 0, egid: 0 };

function exec(path: string, content: string, version = '1', ino = 42): FileEvent {
  return {
    path,
    ino,
    version,
    func: 'BPRM_CHECK',
    mask: 0x1,
    cred: root,
    fsmagic: 0xef53,
    digest: (a) => hashBytes(a, Buffer.from(content)),
  };
}

function nsField(ns: ImaNamespace, i: number): string {
  return ns.log.entries[i]!.fields[2]!.toString('hex');
}

test('same file executed in two namespaces: measured once in each, ima-ns entries carry the ns id', () => {
  const host = new ImaNamespace({ name: 'host', policy: parsePolicy('measure func=BPRM_CHECK') });
  const a = new ImaNamespace({
    name: 'a',
    parent: host,
    policy: parsePolicy('measure func=BPRM_CHECK'),
    template: 'ima-ns',
  });
  const b = new ImaNamespace({
    name: 'b',
    parent: host,
    policy: parsePolicy('measure func=BPRM_CHECK'),
    template: 'ima-ns',
  });
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(
      a.handleFile(exec('/usr/bin/ls', 'ls')).measuredIn,
      i === 0 ? ['a', 'host'] : []
    );
    assert.deepEqual(
      b.handleFile(exec('/usr/bin/ls', 'ls')).measuredIn,
      i === 0 ? ['b', 'host'] : []
    );
  }
  assert.equal(a.log.entries.length, 1);
  assert.equal(b.log.entries.length, 1);
  assert.equal(nsField(a, 0), a.id.toString('hex'));
  assert.equal(nsField(b, 0), b.id.toString('hex'));
  // The host logs each namespace's execution once, tagged with that namespace.
  assert.deepEqual(
    host.log.entries.map((e) => e.templateName),
    ['ima-ns', 'ima-ns']
  );
  assert.deepEqual(
    [nsField(host, 0), nsField(host, 1)],
    [a.id.toString('hex'), b.id.toString('hex')]
  );
  assert.notDeepEqual(a.log.aggregate('sha256'), b.log.aggregate('sha256'));
  // Each log replays to its own aggregate through the binary format.
  const back = parseBinaryList(host.log.toBinary('sha256'), 32).entries;
  assert.deepEqual(
    verifyList(back, 'sha256', ['sha256']).pcrs.get('sha256', 10),
    host.log.aggregate('sha256')
  );
});

test('a file is re-measured in a namespace after it changes (new change cookie)', () => {
  const ns = new ImaNamespace({ name: 'c', policy: parsePolicy('measure func=BPRM_CHECK') });
  ns.handleFile(exec('/bin/tool', 'v1', '1'));
  ns.handleFile(exec('/bin/tool', 'v1', '1'));
  ns.handleFile(exec('/bin/tool', 'v2', '2'));
  assert.equal(ns.log.entries.length, 2);
});

test("a namespace's dont_measure cannot switch off the host's measure rule", () => {
  const host = new ImaNamespace({
    name: 'host',
    policy: parsePolicy('measure func=BPRM_CHECK mask=MAY_EXEC'),
  });
  const evil = new ImaNamespace({
    name: 'evil',
    parent: host,
    policy: parsePolicy('dont_measure\ndont_appraise'),
  });
  const out = evil.handleFile(exec('/opt/payload', 'payload'));
  assert.deepEqual(out.measuredIn, ['host']);
  assert.equal(evil.log.entries.length, 0);
  assert.equal(host.log.entries[0]!.fields[1]!.toString(), '/opt/payload\0');
});

test("a namespace's policy cannot switch off the host's enforcing appraisal", () => {
  const host = new ImaNamespace({
    name: 'host',
    policy: parsePolicy('appraise func=BPRM_CHECK'),
    enforce: true,
  });
  const child = new ImaNamespace({
    name: 'child',
    parent: host,
    policy: parsePolicy('dont_appraise'),
  });
  const out = child.handleFile(exec('/opt/unsigned', 'x'));
  assert.equal(out.allowed, false);
  assert.deepEqual(
    out.records.map((r) => [r.namespace, r.origin, r.status, r.cause]),
    [['host', 'child', 'INTEGRITY_NOLABEL', 'missing-hash']]
  );
});

test('a hash xattr that matches passes; the cached status is reused until the file changes', () => {
  const ns = new ImaNamespace({
    name: 'n',
    policy: parsePolicy('appraise func=BPRM_CHECK'),
    enforce: true,
  });
  const xattr = Buffer.concat([Buffer.from([0x04, 4]), hashBytes('sha256', Buffer.from('good'))]);
  let hashed = 0;
  const ev = (content: string, version: string): FileEvent => ({
    ...exec('/bin/x', content, version),
    xattr,
    digest: (a) => (hashed++, hashBytes(a, Buffer.from(content))),
  });
  assert.equal(ns.handleFile(ev('good', '1')).allowed, true);
  assert.equal(ns.handleFile(ev('good', '1')).allowed, true);
  assert.equal(hashed, 1);
  const changed = ns.handleFile(ev('bad', '2'));
  assert.equal(changed.allowed, false);
  assert.equal(changed.records[0]!.cause, 'invalid-hash');
});

test('cache_result=no (docs/ima.md §9.3): every access is appraised again; the default caches', () => {
  const good = Buffer.concat([Buffer.from([0x04, 0x04]), hashBytes('sha256', Buffer.from('x'))]);
  const bad = Buffer.concat([Buffer.from([0x04, 0x04]), hashBytes('sha256', Buffer.from('y'))]);
  // The same file version: only the xattr differs, as after a write that bypassed the filesystem.
  const access = (xattr: Buffer): FileEvent => ({ ...exec('/usr/bin/x', 'x'), xattr });
  const statuses = (policy: string): string[] => {
    const ns = new ImaNamespace({
      name: 'host',
      policy: parsePolicy(policy, { extensions: true }),
    });
    return [good, bad, good].map((x) => ns.handleFile(access(x)).appraisals.get('host')!.status);
  };
  assert.deepEqual(statuses('appraise func=BPRM_CHECK'), [
    'INTEGRITY_PASS',
    'INTEGRITY_PASS',
    'INTEGRITY_PASS',
  ]);
  assert.deepEqual(statuses('appraise func=BPRM_CHECK cache_result=no'), [
    'INTEGRITY_PASS',
    'INTEGRITY_FAIL',
    'INTEGRITY_PASS',
  ]);
  assert.throws(
    () => parsePolicy('appraise func=BPRM_CHECK cache_result=no'),
    /'cache_result=no': a tsem-engine extension \(docs\/ima\.md §9\.3\), not kernel policy syntax/
  );
  assert.throws(
    () => parsePolicy('measure func=BPRM_CHECK cache_result=no', { extensions: true }),
    /'cache_result': only allowed with appraise, not measure/
  );
});
