/**
 * Model file signatures. Ours: a detached Ed25519 signature over MODEL_TAG newline model-bytes.
 * Quixote's (tsem-model.md §4.2, sign-model.c): a `key <base64 RSA public key>` first line and a
 * `signature <base64>` last line; RSA PKCS#1 v1.5 with SHA-256 over each line from `key` through
 * `end`, each without its newline but with a trailing NUL byte.
 */
import { createPublicKey, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { MODEL_TAG } from './canonical.js';
import { EngineError } from '../../common/errors.js';
import { parsePublicKey, sign, verifySignature } from './keys.js';

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

/** Keys a server (or a replay) trusts to sign models: Ed25519 public keys and RSA keys (SPKI DER). */
export interface ModelKeys {
  readonly ed25519: readonly Uint8Array[];
  readonly rsa: readonly Buffer[];
}

export type ModelSignatureCheck =
  | { readonly status: 'verified'; readonly by: string }
  | { readonly status: 'unsigned' }
  /** The signature is good, but made with a key nobody pinned: anyone can re-sign a model. */
  | { readonly status: 'unpinned'; readonly reason: string }
  /** The signature does not verify: the model changed after signing, or it is forged. */
  | { readonly status: 'bad'; readonly reason: string };

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/**
 * Reads a model key file: `tsem-ed25519-public <base64>` (tsem model keygen) or an RSA public key
 * (PEM, or the base64 DER of a Quixote model's `key` line).
 */
export function parseModelKey(text: string, source: string): ModelKeys {
  const t = text.trim();
  if (t.startsWith('tsem-ed25519-public')) return { ed25519: [parsePublicKey(t, source)], rsa: [] };
  const key = t.startsWith('-----BEGIN') ? tryKey(() => createPublicKey(t)) : rsaKey(t);
  if (!key || key.asymmetricKeyType !== 'rsa')
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `${source}: expected 'tsem-ed25519-public <base64>' or an RSA public key (PEM or base64 DER)`
    );
  return { ed25519: [], rsa: [spki(key)] };
}

function tryKey(f: () => KeyObject): KeyObject | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

export function mergeModelKeys(list: readonly ModelKeys[]): ModelKeys {
  return { ed25519: list.flatMap((k) => k.ed25519), rsa: list.flatMap((k) => k.rsa) };
}

/**
 * Checks a model's signature: Quixote's RSA lines inside the text, or a detached Ed25519 signature.
 * A signature that fails is `bad` whatever the keys; a good one counts only when its key is
 * among `keys` (pinned), else it is `unpinned`.
 */
export function checkModelSignature(
  model: Buffer,
  detached: Uint8Array | undefined,
  keys: ModelKeys
): ModelSignatureCheck {
  const text = model.toString('utf8');
  if (/^key /m.test(text) || /^signature /m.test(text)) {
    const q = verifyQuixoteModel(text);
    if (!q.ok) return { status: 'bad', reason: q.reason };
    const der = spki(q.key);
    if (keys.rsa.some((k) => k.equals(der))) return { status: 'verified', by: 'a pinned RSA key' };
    return {
      status: 'unpinned',
      reason:
        "the RSA signature verifies with the model's own 'key' line, which is not a trusted key",
    };
  }
  if (detached === undefined) return { status: 'unsigned' };
  if (keys.ed25519.length === 0)
    return {
      status: 'unpinned',
      reason: 'no Ed25519 model key is configured to check the signature',
    };
  if (keys.ed25519.some((k) => verifyModelSignature(model, detached, k)))
    return { status: 'verified', by: 'a pinned Ed25519 key' };
  return {
    status: 'bad',
    reason:
      'the Ed25519 signature does not verify with any trusted key (model changed, or another key signed it)',
  };
}
