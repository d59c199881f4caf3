/**
 * `security.evm` verification (ima.md §9.5; kernel evm_crypto.c and evm_main.c evm_verify_hmac),
 * with the kernel's statuses: an HMAC (type 0x02) with a given key, or a signature (0x03, and the
 * portable 0x05) with a keyring, over the protected xattrs and the inode's metadata. Pure: the
 * caller gathers the file's facts (io/evm-facts.ts).
 */
import { createHmac } from 'node:crypto';
import type { IntegrityStatus } from './appraise.js';
import { digestSize, hashBytes } from './hash-algo.js';
import type { Keyring } from './keys.js';
import { parseSignatureV2, verifySignature } from './signature.js';

export const EVM_XATTR_HMAC = 0x02;
export const EVM_IMA_XATTR_DIGSIG = 0x03;
export const EVM_XATTR_PORTABLE_DIGSIG = 0x05;

/** The xattrs EVM protects, in the order they are hashed (evm_config_default_xattrnames). */
export const EVM_PROTECTED_XATTRS: readonly string[] = [
  'security.selinux',
  'security.SMACK64',
  'security.SMACK64EXEC',
  'security.SMACK64TRANSMUTE',
  'security.SMACK64MMAP',
  'security.apparmor',
  'security.ima',
  'security.capability',
];

/** The kernel's EVM key buffer (MAX_KEY_SIZE): the key is zero-padded to it and used whole. */
const EVM_KEY_SIZE = 128;
/** struct evm_xattr: type byte and an HMAC-SHA1. */
const HMAC_XATTR_SIZE = 1 + 20;
const SIGNATURE_HEADER = 9;

export interface EvmFacts {
  /** The protected xattrs the file has (names of EVM_PROTECTED_XATTRS), with their values. */
  readonly xattrs: ReadonlyMap<string, Uint8Array>;
  /** `security.evm`, undefined when absent. */
  readonly evm: Uint8Array | undefined;
  readonly ino: bigint;
  /** i_generation (FS_IOC_GETVERSION). */
  readonly generation: number;
  readonly uid: number;
  readonly gid: number;
  /** i_mode (file type and permission bits). */
  readonly mode: number;
  /** The filesystem's UUID (16 bytes) when EVM hashes it (CONFIG_EVM_ATTR_FSUUID); else undefined. */
  readonly fsuuid?: Uint8Array;
  /** `unsigned long ino` is 8 bytes on 64-bit kernels (default), 4 on 32-bit ones. */
  readonly longBytes?: 4 | 8;
}

export interface EvmResult {
  readonly status: IntegrityStatus;
  /** The IMA appraisal cause this status gives (ima.md §4.2 step 3), when it fails. */
  readonly cause?: 'missing-HMAC' | 'invalid-HMAC' | 'invalid-fail-immutable';
  /** `hmac`, `signature` or `portable-signature`, when security.evm is there. */
  readonly form?: 'hmac' | 'signature' | 'portable-signature';
  readonly detail: string;
}

/**
 * struct h_misc of hmac_add_misc: ino (unsigned long), generation (u32), uid, gid (u32), mode (u16),
 * zero-padded to the struct's alignment. Portable signatures leave ino and generation zero.
 */
export function hmacMisc(f: EvmFacts, portable: boolean): Buffer {
  const long = f.longBytes ?? 8;
  const size = long === 8 ? 24 : 20;
  const b = Buffer.alloc(size);
  if (!portable) {
    if (long === 8) b.writeBigUInt64LE(BigInt.asUintN(64, f.ino), 0);
    else b.writeUInt32LE(Number(BigInt.asUintN(32, f.ino)), 0);
    b.writeUInt32LE(f.generation >>> 0, long);
  }
  b.writeUInt32LE(f.uid >>> 0, long + 4);
  b.writeUInt32LE(f.gid >>> 0, long + 8);
  b.writeUInt16LE(f.mode & 0xffff, long + 12);
  return b;
}

/** What EVM hashes: each protected xattr present, in order, then h_misc and (not portable) fsuuid. */
export function evmInput(f: EvmFacts, portable: boolean): Buffer[] {
  const parts: Buffer[] = [];
  for (const name of EVM_PROTECTED_XATTRS) {
    const v = f.xattrs.get(name);
    if (v !== undefined && v.length > 0) parts.push(Buffer.from(v));
  }
  parts.push(hmacMisc(f, portable));
  if (!portable && f.fsuuid) parts.push(Buffer.from(f.fsuuid));
  return parts;
}

/** HMAC-SHA1 as the kernel keys it: the EVM key zero-padded to 128 bytes. */
export function evmHmac(key: Uint8Array, f: EvmFacts): Buffer {
  if (key.length > EVM_KEY_SIZE)
    throw new RangeError(`EVM key is ${key.length} bytes, at most ${EVM_KEY_SIZE}`);
  const padded = Buffer.alloc(EVM_KEY_SIZE);
  Buffer.from(key).copy(padded);
  const h = createHmac('sha1', padded);
  for (const p of evmInput(f, false)) h.update(p);
  return h.digest();
}

function result(status: IntegrityStatus, form: EvmResult['form'], detail: string): EvmResult {
  const cause =
    status === 'INTEGRITY_FAIL'
      ? 'invalid-HMAC'
      : status === 'INTEGRITY_FAIL_IMMUTABLE'
        ? 'invalid-fail-immutable'
        : status === 'INTEGRITY_NOLABEL'
          ? 'missing-HMAC'
          : undefined;
  return { status, ...(cause ? { cause } : {}), ...(form ? { form } : {}), detail };
}

export interface EvmKeys {
  /** The EVM HMAC key; without it an HMAC is INTEGRITY_UNKNOWN, as with no key loaded. */
  readonly hmacKey?: Uint8Array;
  /** The `.evm` keyring for signatures. */
  readonly keyring: Keyring;
}

/** evm_verify_hmac: the file's EVM status. */
export function verifyEvm(f: EvmFacts, keys: EvmKeys): EvmResult {
  const x = f.evm;
  if (x === undefined || x.length === 0) {
    return f.xattrs.size > 0
      ? result('INTEGRITY_NOLABEL', undefined, 'no security.evm, but protected xattrs are set')
      : result('INTEGRITY_NOXATTRS', undefined, 'no security.evm and no protected xattrs');
  }
  switch (x[0]) {
    case EVM_XATTR_HMAC: {
      if (x.length !== HMAC_XATTR_SIZE)
        return result(
          'INTEGRITY_FAIL',
          'hmac',
          `HMAC xattr is ${x.length} bytes; the kernel's is ${HMAC_XATTR_SIZE} (type and HMAC-SHA1)`
        );
      if (!keys.hmacKey) return result('INTEGRITY_UNKNOWN', 'hmac', 'no EVM HMAC key given');
      const ok = evmHmac(keys.hmacKey, f).equals(Buffer.from(x.subarray(1)));
      return ok
        ? result('INTEGRITY_PASS', 'hmac', 'HMAC verifies')
        : result(
            'INTEGRITY_FAIL',
            'hmac',
            'HMAC differs: the metadata, an xattr or the key changed'
          );
    }
    case EVM_IMA_XATTR_DIGSIG:
    case EVM_XATTR_PORTABLE_DIGSIG: {
      const portable = x[0] === EVM_XATTR_PORTABLE_DIGSIG;
      const form = portable ? 'portable-signature' : 'signature';
      const failed: IntegrityStatus = portable ? 'INTEGRITY_FAIL_IMMUTABLE' : 'INTEGRITY_FAIL';
      if (x.length <= SIGNATURE_HEADER) return result(failed, form, 'signature xattr is empty');
      const s = parseSignatureV2(x);
      if (typeof s === 'string') return result(failed, form, s);
      if (!s.hashAlgo || !digestSize(s.hashAlgo))
        return result(failed, form, `unknown hash_algo ${s.hashAlgoId}`);
      const digest = hashBytes(s.hashAlgo, ...evmInput(f, portable));
      const check = verifySignature(keys.keyring, x, s.hashAlgo, digest);
      if (!check.ok) return result(failed, form, check.detail);
      return result(
        portable ? 'INTEGRITY_PASS_IMMUTABLE' : 'INTEGRITY_PASS',
        form,
        `signature verifies with key ${s.keyid.toString(16).padStart(8, '0')} (${check.key.source})`
      );
    }
    default:
      return result('INTEGRITY_FAIL', undefined, `security.evm type 0x${x[0]!.toString(16)}`);
  }
}
