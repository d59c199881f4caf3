/**
 * Sealed storage of the agent's state at rest: tweetnacl secretbox (XSalsa20-Poly1305) under a key
 * bound to the simulated platform, HKDF-SHA256(platform secret, salt = TPM aggregate). Another
 * platform secret or another boot state (aggregate) gives another key, and unsealing fails.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';

const MAGIC = Buffer.from('tsem-sealed-v1\0', 'utf8');
const SEAL_INFO = 'tsem-tee-seal-v1';

export class UnsealError extends Error {
  override readonly name = 'UnsealError';
}

/** The sealing key of this platform: HKDF-SHA256(secret, salt = aggregate, info = SEAL_INFO). */
export function platformSealKey(platformSecret: Uint8Array, aggregate: Uint8Array): Uint8Array {
  if (platformSecret.length < 16)
    throw new RangeError(`platform secret must be at least 16 bytes, got ${platformSecret.length}`);
  return new Uint8Array(
    hkdfSync('sha256', platformSecret, aggregate, SEAL_INFO, nacl.secretbox.keyLength)
  );
}

/** MAGIC || nonce (24) || secretbox(plaintext). */
export function seal(plaintext: Uint8Array, key: Uint8Array): Buffer {
  const nonce = new Uint8Array(randomBytes(nacl.secretbox.nonceLength));
  return Buffer.concat([MAGIC, nonce, nacl.secretbox(plaintext, nonce, key)]);
}

export function unseal(blob: Uint8Array, key: Uint8Array): Uint8Array {
  const b = Buffer.from(blob);
  if (
    b.length < MAGIC.length + nacl.secretbox.nonceLength + nacl.secretbox.overheadLength ||
    !b.subarray(0, MAGIC.length).equals(MAGIC)
  ) {
    throw new UnsealError('not a sealed agent state (bad magic or too short)');
  }
  const nonce = b.subarray(MAGIC.length, MAGIC.length + nacl.secretbox.nonceLength);
  const opened = nacl.secretbox.open(
    b.subarray(MAGIC.length + nacl.secretbox.nonceLength),
    nonce,
    key
  );
  if (!opened)
    throw new UnsealError(
      'sealed state does not open with this platform key (other platform secret or aggregate, or tampered)'
    );
  return opened;
}
