/**
 * `security.ima` values (ima.md §4.1, integrity.h enum evm_ima_xattr_type) and the hash
 * algorithm they imply (ima_get_hash_algo).
 */
import { digestSize, hashAlgoName } from './hash-algo.js';
import { parseSignatureV2 } from './signature.js';

export const IMA_XATTR_DIGEST = 0x01;
export const EVM_IMA_XATTR_DIGSIG = 0x03;
export const IMA_XATTR_DIGEST_NG = 0x04;
export const IMA_VERITY_DIGSIG = 0x06;

/**
 * Algorithm the file must be hashed with for appraisal: the signature's hash_algo, the 0x04
 * algorithm byte, sha1/md5 for 0x01; else `fallback` (ima_hash_algo).
 */
export function xattrHashAlgo(xattr: Uint8Array | undefined, fallback: string): string {
  if (!xattr || xattr.length < 2) return fallback;
  switch (xattr[0]) {
    case EVM_IMA_XATTR_DIGSIG:
    case IMA_VERITY_DIGSIG: {
      const s = parseSignatureV2(xattr);
      return typeof s !== 'string' && s.hashAlgo && digestSize(s.hashAlgo) ? s.hashAlgo : fallback;
    }
    case IMA_XATTR_DIGEST_NG:
      return hashAlgoName(xattr[1]!) ?? fallback;
    case IMA_XATTR_DIGEST:
      // 21 bytes with 4 trailing zeros, or 17 bytes: legacy MD5 (ima_get_hash_algo).
      if (xattr.length === 17) return 'md5';
      if (
        xattr.length === 21 &&
        xattr[17] === 0 &&
        xattr[18] === 0 &&
        xattr[19] === 0 &&
        xattr[20] === 0
      )
        return 'md5';
      return 'sha1';
    default:
      return fallback;
  }
}

/** `security.ima` bytes IMA writes for a hash (ima_fix_xattr): 0x01 up to sha1, else 0x04 ‖ algo. */
export function hashXattr(algoId: number, digest: Uint8Array): Buffer {
  return algoId <= 2
    ? Buffer.concat([Buffer.from([IMA_XATTR_DIGEST]), digest])
    : Buffer.concat([Buffer.from([IMA_XATTR_DIGEST_NG, algoId]), digest]);
}
