/**
 * Ed25519 keys (tweetnacl) and their text files: `tsem-ed25519-public <base64>` (32 bytes) and
 * `tsem-ed25519-secret <base64>` (64 bytes: seed || public key, tweetnacl's layout).
 */
import nacl from 'tweetnacl';
import { EngineError } from '../../common/errors.js';

const PUBLIC_WORD = 'tsem-ed25519-public';
const SECRET_WORD = 'tsem-ed25519-secret';
const SIGNATURE_WORD = 'tsem-ed25519-signature';

export interface Ed25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export function generateKeyPair(): Ed25519KeyPair {
  return nacl.sign.keyPair();
}

export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return nacl.sign.detached(message, secretKey);
}

export function verifySignature(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array
): boolean {
  if (
    signature.length !== nacl.sign.signatureLength ||
    publicKey.length !== nacl.sign.publicKeyLength
  )
    return false;
  return nacl.sign.detached.verify(message, signature, publicKey);
}

export function formatPublicKey(publicKey: Uint8Array): string {
  return `${PUBLIC_WORD} ${Buffer.from(publicKey).toString('base64')}\n`;
}
export function formatSecretKey(secretKey: Uint8Array): string {
  return `${SECRET_WORD} ${Buffer.from(secretKey).toString('base64')}\n`;
}
export function formatSignature(signature: Uint8Array): string {
  return `${SIGNATURE_WORD} ${Buffer.from(signature).toString('base64')}\n`;
}

function parseKeyText(text: string, word: string, size: number, source: string): Uint8Array {
  const t = text.trim();
  const m = new RegExp(`^${word}\\s+([A-Za-z0-9+/=]+)$`).exec(t);
  // Also accept a bare base64 or hex value of the right size (e.g. a report's agentKey field).
  const raw = m
    ? Buffer.from(m[1]!, 'base64')
    : /^[0-9a-fA-F]+$/.test(t) && t.length === size * 2
      ? Buffer.from(t, 'hex')
      : Buffer.from(t, 'base64');
  if (raw.length !== size) {
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `${source}: expected '${word} <base64 of ${size} bytes>', got ${raw.length} bytes`
    );
  }
  return new Uint8Array(raw);
}

export function parsePublicKey(text: string, source = 'public key'): Uint8Array {
  return parseKeyText(text, PUBLIC_WORD, nacl.sign.publicKeyLength, source);
}
export function parseSecretKey(text: string, source = 'secret key'): Uint8Array {
  return parseKeyText(text, SECRET_WORD, nacl.sign.secretKeyLength, source);
}
export function parseSignature(text: string, source = 'signature'): Uint8Array {
  return parseKeyText(text, SIGNATURE_WORD, nacl.sign.signatureLength, source);
}
