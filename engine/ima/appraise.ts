/**
 * Appraisal of a file against its `security.ima` (ima.md §4.2, ima_appraise.c
 * ima_appraise_measurement / xattr_verify), with the kernel's statuses and audit causes (§4.3).
 * EVM is not modelled: evm_verifyxattr is taken as INTEGRITY_UNKNOWN (EVM off), as the kernel does.
 */
import { digestSize } from './hash-algo.js';
import type { Keyring } from './keys.js';
import {
  EVM_IMA_XATTR_DIGSIG,
  IMA_VERITY_DIGSIG,
  IMA_XATTR_DIGEST,
  IMA_XATTR_DIGEST_NG,
} from './ima-xattr.js';
import { parseSignatureV2, verifySignature } from './signature.js';

/** enum integrity_status (include/linux/integrity.h). */
export type IntegrityStatus =
  | 'INTEGRITY_PASS'
  | 'INTEGRITY_PASS_IMMUTABLE'
  | 'INTEGRITY_FAIL'
  | 'INTEGRITY_FAIL_IMMUTABLE'
  | 'INTEGRITY_NOLABEL'
  | 'INTEGRITY_NOXATTRS'
  | 'INTEGRITY_UNKNOWN';

/** `op=appraise_data` causes (ima.md §4.3). */
export type AppraiseCause =
  | 'missing-hash'
  | 'IMA-signature-required'
  | 'verity-signature-required'
  | 'invalid-hash'
  | 'invalid-signature-version'
  | 'invalid-signature'
  | 'invalid-verity-signature'
  | 'unknown-ima-data'
  | 'denied-hash-algorithm'
  | 'unknown';

export interface AppraiseInput {
  /** Raw `security.ima`, undefined when absent (-ENODATA). */
  readonly xattr: Uint8Array | undefined;
  /** False when the filesystem has no xattr support (no IOP_XATTR): status UNKNOWN, no audit. */
  readonly xattrSupported?: boolean;
  /** Algorithm of `digest`: must be xattrHashAlgo(xattr, ima_hash_algo). */
  readonly algo: string;
  readonly digest: Uint8Array;
  readonly keyring: Keyring;
  /** Policy flags: appraise_type=imasig / sigv3. */
  readonly digsigRequired?: boolean;
  readonly verityRequired?: boolean;
  /** appraise_algos of the deciding rule. */
  readonly allowedAlgos?: readonly string[];
  /** Created by this open (FMODE_CREATED → IMA_NEW_FILE) and its size. */
  readonly newFile?: boolean;
  readonly size?: number;
}

export interface AppraiseResult {
  readonly status: IntegrityStatus;
  /** Audit cause; absent on PASS and on the silent UNKNOWN of a filesystem without xattrs. */
  readonly cause?: AppraiseCause;
  /** Human detail for logs (key id, digest mismatch…). */
  readonly detail?: string;
  /** True when the file carries a signature (IMA_DIGSIG): signed files are immutable for writes. */
  readonly signed: boolean;
}

function verdict(
  status: IntegrityStatus,
  cause: AppraiseCause | undefined,
  detail: string | undefined,
  signed = false
): AppraiseResult {
  return { status, ...(cause ? { cause } : {}), ...(detail ? { detail } : {}), signed };
}

function sigRequiredCause(i: AppraiseInput): AppraiseCause {
  return i.verityRequired ? 'verity-signature-required' : 'IMA-signature-required';
}

/** xattr_verify (ima.md §4.2 step 4). */
function xattrVerify(i: AppraiseInput, x: Uint8Array): AppraiseResult {
  switch (x[0]) {
    case IMA_XATTR_DIGEST_NG:
    case IMA_XATTR_DIGEST: {
      if (i.digsigRequired)
        return verdict(
          'INTEGRITY_FAIL',
          sigRequiredCause(i),
          'file has a hash, the policy requires a signature'
        );
      const start = x[0] === IMA_XATTR_DIGEST_NG ? 2 : 1;
      // The xattr may be longer than the digest (old MD5 in 20 bytes); compare the digest length.
      const stored = Buffer.from(x.subarray(start));
      const ok =
        stored.length >= i.digest.length &&
        stored.subarray(0, i.digest.length).equals(Buffer.from(i.digest));
      return ok
        ? verdict('INTEGRITY_PASS', undefined, undefined)
        : verdict('INTEGRITY_FAIL', 'invalid-hash', `${i.algo} digest differs from security.ima`);
    }
    case EVM_IMA_XATTR_DIGSIG: {
      if (i.verityRequired)
        return verdict('INTEGRITY_FAIL', 'verity-signature-required', undefined, true);
      if (x.length >= 2 && x[1]! >= 3)
        return verdict(
          'INTEGRITY_FAIL',
          'invalid-signature-version',
          `signature version ${x[1]}`,
          true
        );
      const check = verifySignature(i.keyring, x, i.algo, i.digest);
      return check.ok
        ? verdict('INTEGRITY_PASS', undefined, undefined, true)
        : verdict('INTEGRITY_FAIL', 'invalid-signature', check.detail, true);
    }
    case IMA_VERITY_DIGSIG: {
      if (i.digsigRequired && !i.verityRequired)
        return verdict('INTEGRITY_FAIL', 'IMA-signature-required', undefined, true);
      const s = parseSignatureV2(x);
      if (typeof s === 'string' || s.version !== 3)
        return verdict(
          'INTEGRITY_FAIL',
          'invalid-signature-version',
          typeof s === 'string' ? s : `version ${s.version}`,
          true
        );
      // fs-verity digests are not available here: the kernel's sigv3 check cannot be reproduced.
      return verdict(
        'INTEGRITY_FAIL',
        'invalid-verity-signature',
        'fs-verity file digests are not supported',
        true
      );
    }
    default:
      return verdict(
        'INTEGRITY_UNKNOWN',
        'unknown-ima-data',
        `security.ima type 0x${(x[0] ?? 0).toString(16)}`
      );
  }
}

/** ima_appraise_measurement, condensed (ima.md §4.2 steps 1, 2, 4, 7). */
export function appraiseFile(i: AppraiseInput): AppraiseResult {
  if (digestSize(i.algo) !== i.digest.length)
    throw new RangeError(`digest of ${i.digest.length} bytes is not ${i.algo}`);
  if (i.xattrSupported === false)
    return verdict('INTEGRITY_UNKNOWN', undefined, 'filesystem has no xattr support');
  if (i.allowedAlgos && !i.allowedAlgos.includes(i.algo)) {
    return verdict('INTEGRITY_FAIL', 'denied-hash-algorithm', `${i.algo} is not in appraise_algos`);
  }
  let r: AppraiseResult;
  if (!i.xattr || i.xattr.length === 0) {
    r = verdict(
      'INTEGRITY_NOLABEL',
      i.digsigRequired || i.verityRequired ? sigRequiredCause(i) : 'missing-hash',
      'no security.ima'
    );
  } else r = xattrVerify(i, i.xattr);
  // A new file passes while no signature is required, or when it is still empty (step 7).
  if (r.status !== 'INTEGRITY_PASS' && i.newFile && (!i.digsigRequired || i.size === 0)) {
    return verdict('INTEGRITY_PASS', undefined, 'new file', r.signed);
  }
  return r;
}
