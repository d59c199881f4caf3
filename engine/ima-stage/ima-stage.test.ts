import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { TsemEvent } from '../event/event.js';
import { parseEventObject } from '../event/parse-json.js';
import { keyIdOf } from '../ima/keys.js';
import { parseAsciiList } from '../ima/measurement-list-ascii.js';
import { verifyList } from '../ima/pcr-replay.js';
import { createNamespaceConfig, type Mode, NamespaceModel } from '../ns/namespace-model.js';
import { createImaStage, type ImaStageOptions } from './create-ima-stage.js';
import { type FileEventSpec, fileEvent, sha256 } from './test-events.js';

const EXEC = 32800;
const READ = 32768;
const WRITE = 32769;

/** Files "on this machine" for the injected readers, with call counts. */
function fakeDisk() {
  const files = new Map<string, { content: string; xattr?: Buffer }>();
  const calls = { xattr: 0, hash: [] as string[] };
  return {
    files,
    calls,
    readXattr: (p: string) => (calls.xattr++, files.get(p)?.xattr),
    hashFile: (p: string, algo: string) => {
      calls.hash.push(algo);
      const f = files.get(p);
      return f ? createHash(algo).update(f.content).digest() : undefined;
    },
  };
}

function model(id: string, mode: Mode = 'learn'): NamespaceModel {
  return new NamespaceModel(createNamespaceConfig({ id, mode }));
}

/** The stage's result with its records as their IMA fields. */
function run(h: ReturnType<typeof createImaStage>, ns: NamespaceModel, ev: TsemEvent) {
  const r = h.stage.afterVerdict(ns, ev, ns.process(ev));
  return (
    r && {
      deny: r.deny,
      ima: r.records?.map((x) => {
        assert.equal(x.stage, 'ima');
        return x.fields;
      }),
    }
  );
}

const open = (spec: FileEventSpec, flags: number) => fileEvent('file_open', { ...spec, flags });

/** The namespace's list as GetImaLog serves it, parsed and replayed with the engine/ima verifier. */
function servedList(h: ReturnType<typeof createImaStage>, ns: string, bank = 'sha256') {
  const size = bank === 'sha1' ? 20 : bank === 'sha512' ? 64 : 32;
  const served = h.logs.log(ns, 'ascii', bank);
  const entries = parseAsciiList(served.log.toString('utf8'), size);
  const v = verifyList(entries, bank, [bank]);
  assert.equal(v.mismatches.length, 0);
  assert.equal(served.entries, entries.length);
  assert.equal(served.pcr10, v.pcrs.get(bank, 10).toString('hex'));
  return { entries, v };
}

test('a root read is measured once per namespace: ima-ng in its log, ima-ns in the host log', () => {
  const disk = fakeDisk();
  const h = createImaStage({ readXattr: disk.readXattr, hashFile: disk.hashFile });
  const web = model('web');
  const db = model('db');
  const file = { path: '/etc/passwd', content: 'root:x:0:0\n' };
  const first = run(h, web, open(file, READ));
  assert.deepEqual(
    first?.ima?.map((r) => [r['op'], r['namespace'], r['origin'], r['status'], r['hash']]),
    [
      ['measure', 'web', 'web', 'pass', `sha256:${sha256(file.content).toString('hex')}`],
      ['measure', 'host', 'web', 'pass', `sha256:${sha256(file.content).toString('hex')}`],
    ]
  );
  assert.equal(first?.deny, false);
  assert.deepEqual(disk.calls.hash, [], 'the CELL digest is the sha256 IMA needs');
  assert.equal(run(h, web, open(file, READ)), undefined, 'measured already');
  assert.equal(disk.calls.xattr, 1, 'a measured file costs no xattr read');
  assert.ok(run(h, db, open(file, READ))?.ima?.some((r) => r['namespace'] === 'db'));

  const webList = servedList(h, 'web').entries;
  assert.deepEqual(
    webList.map((e) => e.templateName),
    ['ima-ng']
  );
  assert.deepEqual(
    webList[0]!.fields[0],
    Buffer.concat([Buffer.from('sha256:\0', 'latin1'), sha256(file.content)])
  );
  assert.equal(webList[0]!.fields[1]!.toString('latin1'), '/etc/passwd\0');
  assert.equal(servedList(h, 'db').entries.length, 1);
  // The host level is no TSEM namespace: its log is read from the host IMA namespace.
  const host = parseAsciiList(h.host.log.toAscii('sha256'), 32);
  assert.equal(
    verifyList(host, 'sha256', ['sha256']).pcrs.get('sha256', 10).toString('hex'),
    h.host.log.aggregate('sha256').toString('hex')
  );
  assert.deepEqual(
    host.map((e) => e.templateName),
    ['ima-ng', 'ima-ns', 'ima-ns']
  );
  assert.equal(host[0]!.fields[1]!.toString('latin1'), 'boot_aggregate\0');
  assert.deepEqual(
    [host[1]!.fields[2], host[2]!.fields[2]],
    [h.namespace('web').id, h.namespace('db').id]
  );

  // New contents: measured again in both levels.
  const changed = run(h, web, open({ ...file, content: 'root:x:0:0\nbin:x:1:1\n' }, READ));
  assert.equal(changed?.ima?.length, 2);
  assert.equal(servedList(h, 'web').entries.length, 2);
});

test('a TSEM namespace named like the host level is still measured at both levels', () => {
  const h = createImaStage({ readXattr: () => undefined, hashFile: () => undefined });
  const r = run(h, model('host'), open({ path: '/bin/ls', content: 'ls' }, EXEC));
  assert.equal(r?.ima?.filter((x) => x['op'] === 'measure').length, 2);
  assert.deepEqual([h.namespace('host').log.entries.length, h.host.log.entries.length], [1, 2]);
});

test('the tcb policy decides: non-root reads and tmpfs reads are not measured, tmpfs execs are', () => {
  const disk = fakeDisk();
  const h = createImaStage({ readXattr: disk.readXattr, hashFile: disk.hashFile });
  const ns = model('web');
  assert.equal(
    run(h, ns, open({ path: '/home/u/notes', content: 'n', uid: 1000 }, READ)),
    undefined
  );
  assert.equal(
    run(h, ns, open({ path: '/tmp/x', content: 't', sMagic: 0x1021994 }, READ)),
    undefined
  );
  assert.equal(
    run(h, ns, open({ path: '/tmp/x', content: 't', sMagic: 0x1021994 }, EXEC))?.ima?.[0]?.['func'],
    'BPRM_CHECK'
  );
  assert.equal(
    run(h, ns, fileEvent('mmap_file', { path: '/lib/libc.so.6', content: 'elf' }, 5))?.ima?.[0]?.[
      'func'
    ],
    'MMAP_CHECK'
  );
  assert.equal(disk.calls.xattr, 2, 'xattrs are read only for files a level acts on');
});

const APPRAISE_EXEC = 'measure func=BPRM_CHECK\nappraise func=BPRM_CHECK\n';

test('hash appraisal: pass reported once; after a change, invalid-hash on every access, denied only in enforce', () => {
  const disk = fakeDisk();
  const h = createImaStage({
    policy: APPRAISE_EXEC,
    readXattr: disk.readXattr,
    hashFile: disk.hashFile,
  });
  const file = { path: '/usr/bin/tool', content: 'v1' };
  disk.files.set(file.path, {
    content: file.content,
    xattr: Buffer.concat([Buffer.from([0x04, 4]), sha256('v1')]),
  });
  const enforcing = model('prod', 'enforce');
  const first = run(h, enforcing, open(file, EXEC))!;
  assert.equal(first.deny, false);
  assert.deepEqual(
    first
      .ima!.filter((r) => r['op'] === 'appraise_data')
      .map((r) => [r['namespace'], r['status'], r['integrity']]),
    [
      ['prod', 'pass', 'INTEGRITY_PASS'],
      ['host', 'pass', 'INTEGRITY_PASS'],
    ]
  );
  assert.equal(run(h, enforcing, open(file, EXEC)), undefined, 'cached pass, nothing new');

  const tampered = { ...file, content: 'v2' };
  for (let i = 0; i < 2; i++) {
    const r = run(h, enforcing, open(tampered, EXEC))!;
    assert.equal(r.deny, true);
    const fails = r.ima!.filter((x) => x['status'] === 'fail');
    assert.deepEqual(
      fails.map((x) => [x['namespace'], x['cause'], x['integrity'], x['enforced']]),
      [
        ['prod', 'invalid-hash', 'INTEGRITY_FAIL', 'true'],
        ['host', 'invalid-hash', 'INTEGRITY_FAIL', 'true'],
      ]
    );
  }
  for (const mode of ['learn', 'audit', 'sealed'] as const) {
    const r = run(h, model(mode, mode), open(tampered, EXEC))!;
    assert.equal(r.deny, false, mode);
    assert.equal(r.ima!.find((x) => x['status'] === 'fail')?.['cause'], 'invalid-hash', mode);
    assert.equal(r.ima!.find((x) => x['status'] === 'fail')?.['enforced'], 'false', mode);
  }
  const noLabel = run(h, enforcing, open({ path: '/usr/bin/unlabelled', content: 'u' }, EXEC))!;
  assert.equal(noLabel.deny, true);
  assert.equal(noLabel.ima!.find((x) => x['status'] === 'fail')?.['cause'], 'missing-hash');
});

test('security.ima is read once per contents, and again after an inode_setxattr event names the file', () => {
  const disk = fakeDisk();
  const h = createImaStage({
    policy: APPRAISE_EXEC,
    readXattr: disk.readXattr,
    hashFile: disk.hashFile,
  });
  const ns = model('prod', 'enforce');
  const file = { path: '/usr/bin/late', content: 'late' };
  disk.files.set(file.path, { content: file.content });
  for (let i = 0; i < 3; i++)
    assert.equal(
      run(h, ns, open(file, EXEC))?.ima?.find((r) => r['status'] === 'fail')?.['cause'],
      'missing-hash'
    );
  assert.equal(disk.calls.xattr, 1);
  const value = Buffer.concat([Buffer.from([0x04, 4]), sha256(file.content)]);
  disk.files.set(file.path, { content: file.content, xattr: value });
  const setxattr = parseEventObject(
    {
      event: { pid: '7', process: 'evmctl', type: 'inode_setxattr' },
      COE: {
        uid: '0',
        euid: '0',
        suid: '0',
        gid: '0',
        egid: '0',
        sgid: '0',
        fsuid: '0',
        fsgid: '0',
        capeff: '0x1ffffffffff',
      },
      inode_setxattr: {
        dentry: { path: { type: 'root', pathname: file.path } },
        name: 'security.ima',
        value: value.toString('base64'),
        flags: '0',
      },
    },
    { digestSize: 32 }
  );
  assert.equal(run(h, ns, setxattr), undefined);
  const after = run(h, ns, open(file, EXEC))!;
  assert.equal(after.deny, false);
  assert.deepEqual(
    after.ima!.map((r) => r['status']),
    ['pass', 'pass']
  );
  assert.equal(disk.calls.xattr, 2);
});

test('cache_result=no: the xattr is read and appraised again on every access, without an xattr event', () => {
  const disk = fakeDisk();
  const h = createImaStage({
    policy: 'appraise func=BPRM_CHECK cache_result=no',
    readXattr: disk.readXattr,
    hashFile: disk.hashFile,
  });
  const ns = model('prod', 'enforce');
  const file = { path: '/usr/bin/direct', content: 'direct' };
  const good = Buffer.concat([Buffer.from([0x04, 4]), sha256(file.content)]);
  disk.files.set(file.path, { content: file.content, xattr: good });
  assert.equal(run(h, ns, open(file, EXEC))?.deny, false);
  // Changed behind the filesystem's back: no inode_setxattr event, the same contents.
  disk.files.set(file.path, { content: file.content, xattr: Buffer.from([0x04, 4, 1, 2]) });
  const after = run(h, ns, open(file, EXEC))!;
  assert.equal(after.deny, true);
  assert.ok(after.ima!.some((r) => r['cause'] === 'invalid-hash'));
  assert.equal(disk.calls.xattr, 2);
});

function signV2(privateKey: Parameters<typeof sign>[2], keyid: number, content: string): Buffer {
  // signature_v2 (ima.md §4.1): type 3, version 2, hash_algo 4 (sha256), keyid, sig_size, sig.
  const sig = sign('sha256', Buffer.from(content), privateKey);
  const head = Buffer.alloc(9);
  head.writeUInt8(0x03, 0);
  head.writeUInt8(2, 1);
  head.writeUInt8(4, 2);
  head.writeUInt32BE(keyid, 3);
  head.writeUInt16BE(sig.length, 7);
  return Buffer.concat([head, sig]);
}

test('signature appraisal: a signed file passes, a write open of it is denied, another key fails', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const disk = fakeDisk();
  const opts: ImaStageOptions = {
    policy:
      'appraise func=BPRM_CHECK appraise_type=imasig\nappraise func=FILE_CHECK appraise_type=imasig\n',
    keys: [
      { data: Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })), source: 'test.pub' },
    ],
    readXattr: disk.readXattr,
    hashFile: disk.hashFile,
  };
  const h = createImaStage(opts);
  const ns = model('prod', 'enforce');
  const file = { path: '/usr/bin/signed', content: 'signed v1' };
  disk.files.set(file.path, {
    content: file.content,
    xattr: signV2(privateKey, keyIdOf(publicKey), file.content),
  });
  assert.equal(run(h, ns, open(file, EXEC))?.deny, false);
  const write = run(h, ns, open(file, WRITE))!;
  assert.equal(write.deny, true);
  assert.deepEqual(
    write.ima!.filter((r) => r['status'] === 'fail').map((r) => r['cause']),
    ['signed-file-write']
  );

  const forged = { path: '/usr/bin/forged', content: 'forged' };
  disk.files.set(forged.path, {
    content: forged.content,
    xattr: signV2(other.privateKey, keyIdOf(other.publicKey), forged.content),
  });
  const r = run(h, ns, open(forged, EXEC))!;
  assert.equal(r.deny, true);
  assert.match(r.ima!.find((x) => x['namespace'] === 'prod')!['detail']!, /no key with id/);
  assert.equal(r.ima!.find((x) => x['namespace'] === 'prod')!['cause'], 'invalid-signature');
});

test('another IMA hash algorithm: hashed locally, or a violation entry when the file is not here', () => {
  const disk = fakeDisk();
  const h = createImaStage({
    policy: APPRAISE_EXEC,
    hashAlgo: 'sha512',
    banks: ['sha1', 'sha512'],
    readXattr: disk.readXattr,
    hashFile: disk.hashFile,
  });
  const local = { path: '/usr/bin/local', content: 'here' };
  disk.files.set(local.path, {
    content: local.content,
    xattr: Buffer.concat([Buffer.from([0x04, 6]), createHash('sha512').update('here').digest()]),
  });
  const ok = run(h, model('a', 'enforce'), open(local, EXEC))!;
  assert.equal(ok.deny, false);
  assert.equal(ok.ima![0]!['hash'], `sha512:${createHash('sha512').update('here').digest('hex')}`);
  assert.ok(disk.calls.hash.includes('sha512'));

  const remote = { path: '/usr/bin/elsewhere', content: 'remote' };
  const r = run(h, model('b', 'enforce'), open(remote, EXEC))!;
  assert.equal(r.deny, true);
  assert.deepEqual(
    r.ima!.map((x) => [x['op'], x['cause'], x['status']]),
    [
      ['collect_data', 'failed', 'fail'],
      ['collect_data', 'failed', 'fail'],
    ]
  );
  const { entries, v } = servedList(h, 'b', 'sha512');
  assert.equal(entries.length, 1);
  assert.equal(v.violations, 1, 'the measurement is a violation entry (zero template digest)');
  assert.equal(
    run(h, model('c', 'audit'), open(remote, EXEC))?.deny,
    false,
    'audit reports, never denies'
  );
});

test('bad configuration is refused with the line, keyword, file or option named', () => {
  assert.throws(
    () =>
      createImaStage({
        policy: 'measure func=BPRM_CHECK\nmeasure fun=X\n',
        policySource: 'my.policy',
      }),
    /IMA policy my\.policy: policy line 2: 'fun=X'/
  );
  assert.throws(
    () => createImaStage({ keys: [{ data: Buffer.from('not a key'), source: 'bad.pem' }] }),
    /IMA key: bad\.pem: expected a PEM or DER/
  );
  assert.throws(() => createImaStage({ template: 'no-such-template' }), /IMA template/);
  assert.throws(() => createImaStage({ hashAlgo: 'sha999' }), /IMA hash algorithm: .*'sha999'/);
  const h = createImaStage({ readXattr: () => undefined, hashFile: () => undefined });
  assert.throws(
    () => h.logs.log('web', 'ascii', 'sha384'),
    /bank: expected one of sha1, sha256, got 'sha384'/
  );
  const empty = h.logs.log('web', 'binary', 'sha1');
  assert.deepEqual([empty.log.length, empty.entries, empty.pcr10], [0, 0, '00'.repeat(20)]);
});
