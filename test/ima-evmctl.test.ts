/**
 * Interop with ima-evm-utils: files signed with `evmctl ima_sign` (RSA and EC) and hashed with
 * `evmctl ima_hash` appraise as pass and fail with the right cause after a change; a binary list
 * we write is accepted by `evmctl ima_measurement` with matching PCR values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootSkipReason } from './helpers/repo.js';
import { appraiseFile } from '../engine/ima/appraise.js';
import { hashBytes } from '../engine/ima/hash-algo.js';
import { xattrHashAlgo } from '../engine/ima/ima-xattr.js';
import { ImaNamespace } from '../engine/ima/ima-namespace.js';
import { Keyring, loadKeys } from '../engine/ima/keys.js';
import { fileEventFor } from '../engine/ima/io/file-event.js';
import { readImaXattr } from '../engine/ima/io/read-xattr.js';
import { parsePolicy } from '../engine/ima/policy-parse.js';
import { writeEvmctlPcrFile } from '../engine/ima/tcg-event-log.js';

function hasEvmctl(): boolean {
  try {
    execFileSync('evmctl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skip =
  rootSkipReason() ?? (hasEvmctl() ? undefined : 'evmctl (ima-evm-utils) is not installed');

function setup(): { dir: string; keyring: Keyring; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-ima-'));
  const ossl = (...a: string[]): void => void execFileSync('openssl', a, { stdio: 'ignore' });
  ossl('genrsa', '-out', join(dir, 'rsa.pem'), '2048');
  ossl('rsa', '-in', join(dir, 'rsa.pem'), '-pubout', '-out', join(dir, 'rsa.pub'));
  ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', join(dir, 'ec.pem'));
  ossl(
    'req',
    '-new',
    '-x509',
    '-key',
    join(dir, 'ec.pem'),
    '-subj',
    '/CN=tsem-ima-test',
    '-days',
    '1',
    '-out',
    join(dir, 'ec.crt')
  );
  const keyring = new Keyring([
    ...loadKeys(readFileSync(join(dir, 'rsa.pub')), 'rsa.pub'),
    ...loadKeys(readFileSync(join(dir, 'ec.crt')), 'ec.crt'),
  ]);
  return { dir, keyring, done: () => rmSync(dir, { recursive: true, force: true }) };
}

async function appraisePath(
  path: string,
  keyring: Keyring
): Promise<ReturnType<typeof appraiseFile>> {
  const xattr = await readImaXattr(path);
  const algo = xattrHashAlgo(xattr, 'sha256');
  return appraiseFile({ xattr, algo, digest: hashBytes(algo, readFileSync(path)), keyring });
}

const CASES: Record<string, { args: (dir: string) => string[]; cause: string }> = {
  'ima_sign RSA sha256': {
    args: (d) => ['ima_sign', '--key', join(d, 'rsa.pem'), '-a', 'sha256'],
    cause: 'invalid-signature',
  },
  'ima_sign RSA sha1': {
    args: (d) => ['ima_sign', '--key', join(d, 'rsa.pem'), '-a', 'sha1'],
    cause: 'invalid-signature',
  },
  'ima_sign EC P-256 sha256': {
    args: (d) => ['ima_sign', '--key', join(d, 'ec.pem'), '-a', 'sha256'],
    cause: 'invalid-signature',
  },
  'ima_sign EC P-256 sha384': {
    args: (d) => ['ima_sign', '--key', join(d, 'ec.pem'), '-a', 'sha384'],
    cause: 'invalid-signature',
  },
  'ima_hash sha256 (0x04)': { args: () => ['ima_hash', '-a', 'sha256'], cause: 'invalid-hash' },
  'ima_hash sha1 (0x01)': { args: () => ['ima_hash', '-a', 'sha1'], cause: 'invalid-hash' },
};

test(
  'evmctl-written security.ima appraises as pass, then fails with the kernel cause after a change',
  { skip },
  async (t) => {
    const { dir, keyring, done } = setup();
    t.after(done);
    for (const [name, c] of Object.entries(CASES)) {
      const file = join(dir, name.replace(/\W+/g, '_'));
      writeFileSync(file, `content of ${name}\n`);
      execFileSync('evmctl', [...c.args(dir), file], { stdio: 'ignore' });
      assert.deepEqual(
        await appraisePath(file, keyring),
        { status: 'INTEGRITY_PASS', signed: c.cause === 'invalid-signature' },
        name
      );
      appendFileSync(file, 'tampered\n');
      const r = await appraisePath(file, keyring);
      assert.equal(r.status, 'INTEGRITY_FAIL', name);
      assert.equal(r.cause, c.cause, name);
    }
    const unsigned = join(dir, 'unsigned');
    writeFileSync(unsigned, 'x');
    assert.equal((await appraisePath(unsigned, keyring)).cause, 'missing-hash');
    const signedWithOtherKey = join(dir, 'other-key');
    writeFileSync(signedWithOtherKey, 'y');
    execFileSync(
      'evmctl',
      ['ima_sign', '--key', join(dir, 'rsa.pem'), '-a', 'sha256', signedWithOtherKey],
      { stdio: 'ignore' }
    );
    assert.equal(
      (await appraisePath(signedWithOtherKey, new Keyring())).cause,
      'invalid-signature'
    );
  }
);

test(
  'a hash-only file fails IMA-signature-required under appraise_type=imasig',
  { skip },
  async (t) => {
    const { dir, keyring, done } = setup();
    t.after(done);
    const file = join(dir, 'hashed');
    writeFileSync(file, 'z');
    execFileSync('evmctl', ['ima_hash', '-a', 'sha256', file], { stdio: 'ignore' });
    const ns = new ImaNamespace({
      name: 'host',
      policy: parsePolicy('appraise func=BPRM_CHECK appraise_type=imasig'),
      keyring,
      enforce: true,
    });
    const out = ns.handleFile(await fileEventFor(file, 'BPRM_CHECK', 0x1));
    assert.equal(out.allowed, false);
    assert.equal(out.records[0]!.cause, 'IMA-signature-required');
  }
);

test(
  'evmctl ima_measurement accepts a binary list we write, with our PCR values',
  { skip },
  async (t) => {
    const { dir, keyring, done } = setup();
    t.after(done);
    const ns = new ImaNamespace({
      name: 'host',
      policy: parsePolicy('measure func=BPRM_CHECK'),
      keyring,
      template: 'ima-sig',
      banks: ['sha1', 'sha256'],
      bootAggregate: { algo: 'sha256', digest: Buffer.alloc(32) },
    });
    for (let i = 0; i < 5; i++) {
      const file = join(dir, `bin${i}`);
      writeFileSync(file, `binary ${i}\n`);
      if (i % 2)
        execFileSync('evmctl', ['ima_sign', '--key', join(dir, 'ec.pem'), '-a', 'sha256', file], {
          stdio: 'ignore',
        });
      ns.handleFile(await fileEventFor(file, 'BPRM_CHECK', 0x1));
    }
    ns.addViolation(join(dir, 'bin0'));
    assert.equal(ns.log.entries.length, 7);
    writeFileSync(join(dir, 'list.bin'), ns.log.toBinary('sha1'));
    const pcrArgs: string[] = [];
    for (const bank of ['sha1', 'sha256']) {
      const size = bank === 'sha1' ? 20 : 32;
      writeFileSync(
        join(dir, `pcrs-${bank}`),
        writeEvmctlPcrFile(new Map([[10, ns.log.aggregate(bank)]]), size)
      );
      pcrArgs.push('--pcrs', `${bank},${join(dir, `pcrs-${bank}`)}`);
    }
    // evmctl replays violations as 0xFF only with --ignore-violations (kernel semantics, ima.md §1.6).
    const ok = spawnSync(
      'evmctl',
      ['ima_measurement', '--ignore-violations', ...pcrArgs, join(dir, 'list.bin')],
      { encoding: 'utf8' }
    );
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout + ok.stderr, /Matched per TPM bank/);
    // A wrong PCR value must make evmctl fail: the acceptance above is not vacuous.
    writeFileSync(
      join(dir, 'pcrs-sha256'),
      writeEvmctlPcrFile(new Map([[10, Buffer.alloc(32, 1)]]), 32)
    );
    writeFileSync(
      join(dir, 'pcrs-sha1'),
      writeEvmctlPcrFile(new Map([[10, Buffer.alloc(20, 1)]]), 20)
    );
    assert.throws(() =>
      execFileSync(
        'evmctl',
        ['ima_measurement', '--ignore-violations', ...pcrArgs, join(dir, 'list.bin')],
        { stdio: 'ignore' }
      )
    );
  }
);
