/**
 * Model file signatures. Ours: a detached Ed25519 signature over MODEL_TAG newline model-bytes.
 * Quixote's (tsem-model.md §4.2, sign-model.c): a `key <base64 RSA public key>` first line and a
 * `signature <base64>` last line; RSA PKCS#1 v1.5 with SHA-256 over each line from `key` through
 * `end`, each without its newline but with a trailing NUL byte.
 */
import { createPublicKey, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { MODEL_TAG } from './canonical.js';
import { sign, verifySignature } from './keys.js';

export function modelSigningBytes(model: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${MODEL_TAG}\n`, 'utf8'), model]);
}

export function signModel(model: Buffer, secretKey: Uint8Array): Uint8Array {
  return sign(modelSigningBytes(model), secretKey);
}

export function verifyModelSignature(
  model: Buffer,
  signature: Uint8Array,
  publicKey: Uint8Array
): boolean {
  return verifySignature(modelSigningBytes(model), signature, publicKey);
}

export type QuixoteCheck =
  { readonly ok: true; readonly key: KeyObject } | { readonly ok: false; readonly reason: string };

/** The bytes Quixote signs (§4.2): `key` line .. `end` line, each followed by NUL. */
export function quixoteSignedData(
  text: string
): { data: Buffer; key?: string; signature?: string } | string {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const start = lines.findIndex((l) => l.startsWith('key '));
  if (start < 0) return "no 'key' line: not a Quixote-signed model";
  const end = lines.findIndex((l, i) => i > start && l.trim() === 'end');
  if (end < 0) return "no 'end' line after 'key'";
  const sigLine = lines.slice(end + 1).find((l) => l.startsWith('signature '));
  const data = Buffer.concat(lines.slice(start, end + 1).map((l) => Buffer.from(`${l}\0`, 'utf8')));
  return { data, key: lines[start]!.slice(4).trim(), signature: sigLine?.slice(10).trim() };
}

function rsaKey(base64: string): KeyObject | undefined {
  const der = Buffer.from(base64, 'base64');
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      return createPublicKey({ key: der, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  return undefined;
}

/** Verifies a Quixote RSA-signed model with the key it embeds; `trustedKey` (base64 DER) pins it. */
export function verifyQuixoteModel(text: string, trustedKey?: string): QuixoteCheck {
  const parts = quixoteSignedData(text);
  if (typeof parts === 'string') return { ok: false, reason: parts };
  if (!parts.signature) return { ok: false, reason: "no 'signature' line after 'end'" };
  if (trustedKey !== undefined && trustedKey !== parts.key)
    return { ok: false, reason: "the model's 'key' line is not the trusted key" };
  const key = rsaKey(parts.key!);
  if (!key || key.asymmetricKeyType !== 'rsa')
    return { ok: false, reason: "'key' line is not a base64 DER RSA public key (SPKI or PKCS#1)" };
  const good = rsaVerify(
    'sha256',
    parts.data,
    { key, padding: 1 /* RSA_PKCS1_PADDING */ },
    Buffer.from(parts.signature, 'base64')
  );
  return good
    ? { ok: true, key }
    : { ok: false, reason: 'RSA signature does not verify over the key..end lines' };
}
