/**
 * The namespace hash as the simulator needs it (tsem-model.md §2.9): file digests, the zero digest
 * and TASK_IDs are all sized by the namespace's digest, so the algorithm is a run parameter.
 */
import { createHash, getHashes } from 'node:crypto';

export interface SimDigest {
  /** Node/OpenSSL name, lowercase (`sha256`, `sha3-256`, ...). */
  readonly name: string;
  readonly size: number;
  hash(...parts: Uint8Array[]): Buffer;
  /** §1.5: HF("") — the digest of created, empty, non-regular and pseudo-filesystem files. */
  readonly zeroHex: string;
  /** digestsize zero bytes: NULL_ID, the TASK_ID of a task that began before modeling. */
  readonly nullHex: string;
}

/** Prefix of the synthetic file contents, so that a digest names its path but no real file. */
const CONTENT_PREFIX = 'tsem-sim file contents: ';

export function createSimDigest(name: string): SimDigest {
  const key = name.toLowerCase();
  if (!getHashes().includes(key) || /^shake/.test(key)) {
    throw new RangeError(
      `digest '${name}': expected a fixed-size hash Node offers (e.g. sha256, sha384, sha3-256)`
    );
  }
  const hash = (...parts: Uint8Array[]): Buffer => {
    const h = createHash(key);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const size = hash().length;
  return { name: key, size, hash, zeroHex: hash().toString('hex'), nullHex: '00'.repeat(size) };
}

/** §1.5: digest = HF(file contents); the simulated contents are a fixed string per path. */
export function contentDigestHex(d: SimDigest, pathname: string): string {
  return d.hash(Buffer.from(CONTENT_PREFIX + pathname, 'utf8')).toString('hex');
}
