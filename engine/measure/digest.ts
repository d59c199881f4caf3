/**
 * The namespace hash function (tsem-model.md §2.9): any hash Node offers, with every identity,
 * coefficient, base, pseudonym and aggregate sized by its digest size.
 */
import { createHash, getHashes, hash as oneShot } from 'node:crypto';
import { EngineError } from '../../common/errors.js';

export interface DigestAlgorithm {
  /** Node/OpenSSL name, e.g. `sha256`, `sha3-256`. */
  readonly name: string;
  /** Digest size in bytes (`digestsize`). */
  readonly size: number;
  /** HF over the concatenation of the parts. */
  hash(...parts: Uint8Array[]): Buffer;
  /** HF(data) as a latin1 string (one char per byte): Node's fastest output form. */
  hashLatin1(data: Uint8Array): string;
  /** HF(data) as lowercase hex. */
  hashHex(data: Uint8Array): string;
  /** HF("") — the "zero digest" of §1.5 and §2.8. */
  readonly zeroDigest: Buffer;
  /** digestsize zero bytes (NULL_ID, the initial measurement, the default base). */
  readonly nullDigest: Buffer;
}

const cache = new Map<string, DigestAlgorithm>();
// Node 20.12+ has crypto.hash(), a one-shot that skips the Hash object for short inputs.
const hasOneShot = typeof oneShot === 'function';

function isXof(name: string): boolean {
  return /^shake/i.test(name);
}

export function createDigest(name: string): DigestAlgorithm {
  const key = name.toLowerCase();
  const known = cache.get(key);
  if (known) return known;
  if (!getHashes().includes(key) || isXof(key)) {
    throw new EngineError(
      'TSEM_DIGEST',
      `unknown digest '${name}': expected a hash Node offers (e.g. sha256, sha384, sha512, sha3-256)`
    );
  }
  const size = createHash(key).digest().length;
  const hashFn = (...parts: Uint8Array[]): Buffer => {
    if (hasOneShot) {
      if (parts.length === 1) return oneShot(key, parts[0]!, 'buffer');
      // Short preimages: one concatenation beats a Hash object per call.
      if (parts.length <= 3) return oneShot(key, Buffer.concat(parts), 'buffer');
    }
    const h = createHash(key);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const alg: DigestAlgorithm = {
    name: key,
    size,
    hash: hashFn,
    // latin1 output is valid at run time; @types/node only lists hex/base64 encodings.
    hashLatin1: hasOneShot
      ? (d) => (oneShot as (a: string, d: Uint8Array, e: string) => string)(key, d, 'latin1')
      : (d) => createHash(key).update(d).digest().toString('latin1'),
    hashHex: hasOneShot
      ? (d) => oneShot(key, d, 'hex')
      : (d) => createHash(key).update(d).digest('hex'),
    zeroDigest: createHash(key).digest(),
    nullDigest: Buffer.alloc(size),
  };
  cache.set(key, alg);
  return alg;
}

/** Parses a hex digest of exactly `alg.size` bytes; `what` names the value in the error. */
export function parseDigestHex(hex: string, alg: DigestAlgorithm, what: string): Buffer {
  if (hex.length !== alg.size * 2 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new EngineError(
      'TSEM_DIGEST',
      `${what}: expected ${alg.size * 2} hex characters (${alg.name}), got ${describe(hex)}`
    );
  }
  return Buffer.from(hex, 'hex');
}

function describe(s: string): string {
  const shown = s.length > 20 ? `${s.slice(0, 20)}…` : s;
  return `'${shown}' (${s.length} characters)`;
}
