import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { appraiseFile, type AppraiseInput } from './appraise.js';
import { hashBytes } from './hash-algo.js';
import { hashXattr, xattrHashAlgo } from './ima-xattr.js';
import { imaKeyOf, keyIdOf, Keyring } from './keys.js';
import { parseSignatureV2 } from './signature.js';

const content = Buffer.from('file content');
const digest = hashBytes('sha256', content);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyid = keyIdOf(publicKey);
const keyring = new Keyring([imaKeyOf(publicKey, 'test')]);

/** signature_v2 as evmctl writes it: RSA PKCS#1 v1.5 over DigestInfo(sha256, digest). */
function sigV2(version = 2, over = content): Buffer {
  const sig = sign('sha256', over, privateKey);
  const h = Buffer.alloc(9);
  h.writeUInt8(0x03, 0);
  h.writeUInt8(version, 1);
  h.writeUInt8(4, 2);
  h.writeUInt32BE(keyid, 3);
  h.writeUInt16BE(sig.length, 7);
  return Buffer.concat([h, sig]);
}

const base: AppraiseInput = { xattr: undefined, algo: 'sha256', digest, keyring };
const CASES: Record<string, [Partial<AppraiseInput>, string, string | undefined]> = {
  'hash 0x04 matches': [{ xattr: hashXattr(4, digest) }, 'INTEGRITY_PASS', undefined],
  'hash 0x04 differs': [
    { xattr: hashXattr(4, hashBytes('sha256', Buffer.from('other'))) },
    'INTEGRITY_FAIL',
    'invalid-hash',
  ],
  'hash with imasig required': [
    { xattr: hashXattr(4, digest), digsigRequired: true },
    'INTEGRITY_FAIL',
    'IMA-signature-required',
  ],
  'no xattr': [{}, 'INTEGRITY_NOLABEL', 'missing-hash'],
  'no xattr, signature required': [
    { digsigRequired: true },
    'INTEGRITY_NOLABEL',
    'IMA-signature-required',
  ],
  'signature v2 verifies': [{ xattr: sigV2() }, 'INTEGRITY_PASS', undefined],
  'signature over other data': [
    { xattr: sigV2(2, Buffer.from('x')) },
    'INTEGRITY_FAIL',
    'invalid-signature',
  ],
  'signature version 3 in 0x03': [
    { xattr: sigV2(3) },
    'INTEGRITY_FAIL',
    'invalid-signature-version',
  ],
  'signature, unknown key': [
    { xattr: sigV2(), keyring: new Keyring() },
    'INTEGRITY_FAIL',
    'invalid-signature',
  ],
  'signature with verity required': [
    { xattr: sigV2(), verityRequired: true, digsigRequired: true },
    'INTEGRITY_FAIL',
    'verity-signature-required',
  ],
  'unknown xattr type': [
    { xattr: Buffer.from([0x09, 1, 2]) },
    'INTEGRITY_UNKNOWN',
    'unknown-ima-data',
  ],
  'algorithm not in appraise_algos': [
    { xattr: hashXattr(4, digest), allowedAlgos: ['sha512'] },
    'INTEGRITY_FAIL',
    'denied-hash-algorithm',
  ],
  'new empty file, signature required': [
    { newFile: true, size: 0, digsigRequired: true },
    'INTEGRITY_PASS',
    undefined,
  ],
  'new file with content, signature required': [
    { newFile: true, size: 3, digsigRequired: true },
    'INTEGRITY_NOLABEL',
    'IMA-signature-required',
  ],
  'no xattr support': [{ xattrSupported: false }, 'INTEGRITY_UNKNOWN', undefined],
};

for (const [name, [input, status, cause]] of Object.entries(CASES)) {
  test(`appraise: ${name}`, () => {
    const r = appraiseFile({ ...base, ...input });
    assert.equal(r.status, status);
    assert.equal(r.cause, cause);
  });
}

test('xattr algorithm drives the hash (ima_get_hash_algo)', () => {
  assert.equal(xattrHashAlgo(hashXattr(6, Buffer.alloc(64)), 'sha256'), 'sha512');
  assert.equal(xattrHashAlgo(hashXattr(2, Buffer.alloc(20, 1)), 'sha256'), 'sha1');
  // The kernel reads 0x01 with 4 trailing zero bytes as legacy MD5-in-20-bytes.
  assert.equal(xattrHashAlgo(hashXattr(2, Buffer.alloc(20)), 'sha256'), 'md5');
  assert.equal(
    xattrHashAlgo(
      Buffer.concat([Buffer.from([1]), Buffer.alloc(16, 1), Buffer.alloc(4)]),
      'sha256'
    ),
    'md5'
  );
  assert.equal(xattrHashAlgo(sigV2(), 'sha1'), 'sha256');
  assert.equal(xattrHashAlgo(undefined, 'sha384'), 'sha384');
});

test('signature header: sig_size must match the data that follows', () => {
  const s = sigV2();
  assert.equal(typeof parseSignatureV2(s), 'object');
  assert.match(
    parseSignatureV2(s.subarray(0, s.length - 1)) as string,
    /sig_size 256, but 255 bytes follow/
  );
  assert.match(
    parseSignatureV2(Buffer.from([3, 2, 4])) as string,
    /shorter than the 9-byte header/
  );
});
