/**
 * The kernel's `enum hash_algo` (ima.md §4.1, include/uapi/linux/hash_info.h) and the hashes the
 * IMA code computes with it. Names are `hash_algo_name[]`; Node names differ only for rmd160.
 */
import { createHash, getHashes, hash as oneShot } from 'node:crypto';

/** `hash_algo_name[]` indexed by `enum hash_algo` value. */
export const HASH_ALGO_NAMES: readonly string[] = [
  'md4',
  'md5',
  'sha1',
  'rmd160',
  'sha256',
  'sha384',
  'sha512',
  'sha224',
  'rmd128',
  'rmd256',
  'rmd320',
  'wp256',
  'wp384',
  'wp512',
  'tgr128',
  'tgr160',
  'tgr192',
  'sm3',
  'streebog256',
  'streebog512',
  'sha3-256',
  'sha3-384',
  'sha3-512',
];

/** `hash_digest_size[]` by name. */
const DIGEST_SIZES: Readonly<Record<string, number>> = {
  md4: 16,
  md5: 16,
  sha1: 20,
  rmd160: 20,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  sha224: 28,
  rmd128: 16,
  rmd256: 32,
  rmd320: 40,
  wp256: 32,
  wp384: 48,
  wp512: 64,
  tgr128: 16,
  tgr160: 20,
  tgr192: 24,
  sm3: 32,
  streebog256: 32,
  streebog512: 64,
  'sha3-256': 32,
  'sha3-384': 48,
  'sha3-512': 64,
};

/** The PCR banks a verifier replays by default. */
export const DEFAULT_BANKS: readonly string[] = ['sha1', 'sha256', 'sha384', 'sha512'];

const NODE_NAMES: Readonly<Record<string, string>> = { rmd160: 'ripemd160' };
const available = new Set(getHashes());
const hasOneShot = typeof oneShot === 'function';

/** `enum hash_algo` value of a name, or undefined when the kernel has no such algorithm. */
export function hashAlgoId(name: string): number | undefined {
  const i = HASH_ALGO_NAMES.indexOf(name);
  return i < 0 ? undefined : i;
}

/** Name of an `enum hash_algo` value, or undefined when out of range. */
export function hashAlgoName(id: number): string | undefined {
  return HASH_ALGO_NAMES[id];
}

/** Digest size in bytes, or undefined for a name the kernel does not know. */
export function digestSize(name: string): number | undefined {
  return DIGEST_SIZES[name];
}

/** True when Node can compute this kernel algorithm. */
export function canHash(name: string): boolean {
  return DIGEST_SIZES[name] !== undefined && available.has(NODE_NAMES[name] ?? name);
}

/** H_name(parts...). Throws RangeError for an algorithm Node cannot compute (a caller bug). */
export function hashBytes(name: string, ...parts: Uint8Array[]): Buffer {
  const node = NODE_NAMES[name] ?? name;
  if (!canHash(name)) throw new RangeError(`hash algorithm '${name}' is not available`);
  if (parts.length === 1 && hasOneShot) return oneShot(node, parts[0]!, 'buffer');
  const h = createHash(node);
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * A function computing H_name(data) as a latin1 string (one char per byte), the algorithm looked
 * up once here. Node's one-shot hash is about twice as fast with string output as with a Buffer,
 * so hot loops (list verification, PCR replay) keep digests as latin1 strings. For an algorithm
 * Node cannot compute, the returned function throws RangeError (a caller bug), as hashBytes does.
 */
export function latin1Hasher(name: string): (data: Uint8Array) => string {
  const node = NODE_NAMES[name] ?? name;
  if (!canHash(name)) {
    return () => {
      throw new RangeError(`hash algorithm '${name}' is not available`);
    };
  }
  // 'binary' is Node's other name for latin1, the one its typings accept for digests.
  if (hasOneShot) return (data) => oneShot(node, data, 'binary');
  return (data) => createHash(node).update(data).digest('binary');
}

/** True when every byte is zero (a violation's template digest, ima.md §1.6). */
export function isAllZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}
