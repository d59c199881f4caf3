/**
 * The signing and EVM tools against ima-evm-utils (docs/ima.md §9.5), as root: files signed by
 * `tsem ima sign` (RSA and EC, several digests) verify with `evmctl ima_verify`, and fail once
 * changed; `tsem ima hash` writes the bytes `evmctl ima_hash` writes; `security.evm` as evmctl
 * writes it (HMAC, signature, portable signature) verifies in `tsem ima verify-evm`, and each kind
 * of tampering gives the kernel's status and cause.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNativeAddon } from '../native/addon.js';
import { runCli } from './helpers/cli.js';
import { rootSkipReason } from './helpers/repo.js';

function has(cmd: string, arg = '--version'): boolean {
  return spawnSync(cmd, [arg], { stdio: 'ignore' }).status !== null;
}
const skip =
  rootSkipReason() ??
  (has('evmctl') ? undefined : 'evmctl (ima-evm-utils) is not installed; CI installs it');
const UUID = '0b3b0d6e-6a4e-4c55-9b63-4f5e0b2d9f11';

function keys(dir: string): void {
  const ossl = (...a: string[]) => execFileSync('openssl', a, { stdio: 'ignore' });
  ossl('genrsa', '-out', join(dir, 'rsa.pem'), '2048');
  ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', join(dir, 'ec.pem'));
  ossl('ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', join(dir, 'ec384.pem'));
  for (const k of ['rsa', 'ec', 'ec384']) {
    ossl(
      'req',
      '-new',
      '-x509',
      '-key',
      join(dir, `${k}.pem`),
      '-subj',
      `/CN=${k}`,
      '-days',
      '1',
      '-out',
      join(dir, `${k}.crt`)
    );
    // evmctl ima_verify reads DER certificates.
    ossl('x509', '-in', join(dir, `${k}.crt`), '-outform', 'der', '-out', join(dir, `${k}.der`));
  }
}

const evmctlVerify = (dir: string, key: string, file: string) =>
  spawnSync('evmctl', ['ima_verify', '--key', join(dir, `${key}.der`), file], { encoding: 'utf8' });
const xattr = (file: string, name: string) => loadNativeAddon().getXattr(file, name);

test(
  'files signed by tsem ima sign verify with evmctl ima_verify, and fail once changed',
  { skip },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-sign-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    keys(dir);
    const cases: [string, string, string[]][] = [
      ['rsa', 'sha256', []],
      ['rsa', 'sha1', []],
      ['rsa', 'sha512', ['--cert', join(dir, 'rsa.crt')]],
      ['ec', 'sha256', []],
      ['ec384', 'sha384', ['--cert', join(dir, 'ec384.crt')]],
    ];
    for (const [key, algo, extra] of cases) {
      const file = join(dir, `${key}-${algo}.bin`);
      writeFileSync(file, `signed with ${key} over ${algo}\n`);
      const r = await runCli(
        'ima',
        'sign',
        '--key',
        join(dir, `${key}.pem`),
        '-a',
        algo,
        ...extra,
        '--json',
        file
      );
      assert.equal(r.code, 0, r.err);
      const out = JSON.parse(r.out) as { xattr: string; keyid: string; written: boolean };
      assert.equal(out.written, true);
      assert.equal(xattr(file, 'security.ima')!.toString('hex'), out.xattr);
      const ok = evmctlVerify(dir, key, file);
      assert.equal(ok.status, 0, `${key} ${algo}: ${ok.stderr}`);
      assert.match(ok.stdout + ok.stderr, /verification is OK/);
      const appraised = await runCli('ima', 'appraise', '--keys', join(dir, `${key}.crt`), file);
      assert.equal(appraised.out, `${file} INTEGRITY_PASS ok\n`);
      appendFileSync(file, 'changed\n');
      assert.notEqual(evmctlVerify(dir, key, file).status, 0, `${key} ${algo}: evmctl must reject`);
      const failed = await runCli('ima', 'appraise', '--keys', join(dir, `${key}.crt`), file);
      assert.deepEqual(
        [failed.code, failed.out],
        [1, `${file} INTEGRITY_FAIL invalid-signature\n`]
      );
    }
    // A file signed with another key does not verify with this one.
    const other = join(dir, 'other');
    writeFileSync(other, 'x');
    await runCli('ima', 'sign', '--key', join(dir, 'ec.pem'), other);
    assert.notEqual(evmctlVerify(dir, 'rsa', other).status, 0);
    // --cert must match the key; a bad key file is bad input (65); non-files are I/O errors (74).
    const wrong = await runCli(
      'ima',
      'sign',
      '--key',
      join(dir, 'ec.pem'),
      '--cert',
      join(dir, 'rsa.crt'),
      other
    );
    assert.equal(wrong.code, 65);
    assert.match(wrong.err, /rsa\.crt: the certificate is not for the key in .*ec\.pem/);
    const badKey = await runCli('ima', 'sign', '--key', join(dir, 'rsa.crt'), other);
    assert.equal(badKey.code, 65);
    assert.match(badKey.err, /expected an RSA or EC private key/);
    const missing = await runCli('ima', 'sign', '--key', join(dir, 'rsa.pem'), join(dir, 'nope'));
    assert.equal(missing.code, 74);
    assert.match(missing.err, /nope: cannot hash or set security\.ima: ENOENT/);
  }
);

test('tsem ima hash writes what evmctl ima_hash writes; -n only prints', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-hash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const algo of ['sha1', 'sha256', 'sha512']) {
    const file = join(dir, algo);
    writeFileSync(file, `hashed with ${algo}\n`);
    const expected = execFileSync('evmctl', ['-n', '-a', algo, 'ima_hash', file], {
      encoding: 'utf8',
    }).trim();
    const printed = await runCli('ima', 'hash', '-n', '-a', algo, file);
    assert.equal(printed.out, `${file} 0x${expected}\n`);
    assert.equal(xattr(file, 'security.ima'), null, '-n does not write');
    assert.equal((await runCli('ima', 'hash', '-a', algo, file)).code, 0);
    assert.equal(xattr(file, 'security.ima')!.toString('hex'), expected);
    assert.equal((await runCli('ima', 'appraise', file)).out, `${file} INTEGRITY_PASS ok\n`);
  }
});

/**
 * `evmctl hmac` reads its key from /etc/keys/evm-key-plain only: run it in a private mount
 * namespace with a temporary directory mounted there, so no key lands in the real /etc/keys.
 */
function evmctlHmac(dir: string, file: string): void {
  const created = !existsSync('/etc/keys');
  if (created) mkdirSync('/etc/keys');
  try {
    execFileSync(
      'unshare',
      [
        '-m',
        'sh',
        '-c',
        `mount --bind "$1" /etc/keys && evmctl -a sha1 hmac "$2"`,
        'sh',
        dir,
        file,
      ],
      { stdio: 'ignore' }
    );
  } finally {
    if (created) rmdirSync('/etc/keys');
  }
}

test(
  'security.evm written by evmctl verifies in tsem ima verify-evm; tampering gives the kernel statuses',
  { skip },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-evm-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    keys(dir);
    const keyDir = join(dir, 'keys');
    mkdirSync(keyDir);
    writeFileSync(join(keyDir, 'evm-key-plain'), Buffer.from('0123456789abcdef0123456789abcdef'));
    const hmacKey = join(keyDir, 'evm-key-plain');
    const verify = async (file: string, ...extra: string[]) => {
      const r = await runCli('ima', 'verify-evm', '--json', ...extra, file);
      const j = JSON.parse(r.out) as { status: string; cause?: string; form?: string };
      return [r.code, j.status, j.cause ?? 'ok', j.form ?? '-'];
    };
    const file = (name: string) => {
      const p = join(dir, name);
      writeFileSync(p, `${name}\n`);
      execFileSync('evmctl', ['ima_hash', p], { stdio: 'ignore' });
      return p;
    };

    // The non-portable signature hashes ino, generation, owner, mode and the filesystem UUID.
    const signed = file('signed');
    execFileSync('evmctl', ['sign', '--key', join(dir, 'rsa.pem'), `--uuid=${UUID}`, signed], {
      stdio: 'ignore',
    });
    const rsa = ['--keys', join(dir, 'rsa.crt'), '--uuid', UUID];
    assert.deepEqual(await verify(signed, ...rsa), [0, 'INTEGRITY_PASS', 'ok', 'signature']);
    assert.deepEqual(await verify(signed, '--keys', join(dir, 'ec.crt'), '--uuid', UUID), [
      1,
      'INTEGRITY_FAIL',
      'invalid-HMAC',
      'signature',
    ]);
    assert.deepEqual(await verify(signed, '--keys', join(dir, 'rsa.crt'), '--uuid', ''), [
      1,
      'INTEGRITY_FAIL',
      'invalid-HMAC',
      'signature',
    ]);
    chmodSync(signed, 0o600);
    assert.deepEqual(await verify(signed, ...rsa), [
      1,
      'INTEGRITY_FAIL',
      'invalid-HMAC',
      'signature',
    ]);

    // The portable signature leaves out inode and UUID: it survives a copy, not a changed xattr.
    const portable = file('portable');
    execFileSync('evmctl', ['sign', '--portable', '--key', join(dir, 'ec.pem'), portable], {
      stdio: 'ignore',
    });
    const ec = ['--keys', join(dir, 'ec.crt')];
    assert.deepEqual(await verify(portable, ...ec), [
      0,
      'INTEGRITY_PASS_IMMUTABLE',
      'ok',
      'portable-signature',
    ]);
    loadNativeAddon().setXattr(portable, 'security.ima', Buffer.from('0401', 'hex'));
    assert.deepEqual(await verify(portable, ...ec), [
      1,
      'INTEGRITY_FAIL_IMMUTABLE',
      'invalid-fail-immutable',
      'portable-signature',
    ]);

    // The HMAC (kernel form: HMAC-SHA1, key zero-padded to 128 bytes); evmctl's hmac leaves out the UUID.
    const hmac = file('hmac');
    evmctlHmac(keyDir, hmac);
    assert.equal(xattr(hmac, 'security.evm')!.length, 21);
    assert.deepEqual(await verify(hmac, '--hmac-key', hmacKey, '--uuid', ''), [
      0,
      'INTEGRITY_PASS',
      'ok',
      'hmac',
    ]);
    assert.deepEqual(await verify(hmac, '--uuid', ''), [1, 'INTEGRITY_UNKNOWN', 'ok', 'hmac']);
    writeFileSync(join(dir, 'other.key'), 'another key');
    assert.deepEqual(await verify(hmac, '--hmac-key', join(dir, 'other.key'), '--uuid', ''), [
      1,
      'INTEGRITY_FAIL',
      'invalid-HMAC',
      'hmac',
    ]);
    execFileSync('chown', ['1:1', hmac]);
    assert.deepEqual(await verify(hmac, '--hmac-key', hmacKey, '--uuid', ''), [
      1,
      'INTEGRITY_FAIL',
      'invalid-HMAC',
      'hmac',
    ]);

    // Protected xattrs without security.evm, and a file with neither.
    const unlabeled = file('unlabeled');
    assert.deepEqual(await verify(unlabeled), [1, 'INTEGRITY_NOLABEL', 'missing-HMAC', '-']);
    const bare = join(dir, 'bare');
    writeFileSync(bare, 'bare');
    assert.deepEqual(await verify(bare), [1, 'INTEGRITY_NOXATTRS', 'ok', '-']);
    assert.ok(readFileSync(signed).length > 0);
  }
);
