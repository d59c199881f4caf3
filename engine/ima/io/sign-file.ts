/**
 * `security.ima` values for real files (ima.md §9.5): the hash form IMA itself writes
 * (ima_fix_xattr: 0x01 up to SHA-1, else 0x04 ‖ algo) and signature v2 (type 0x03) made with an
 * RSA or EC private key through node:crypto, which hashes the file as it signs: RSA PKCS#1 v1.5
 * over DigestInfo, ECDSA (DER) over the digest, the forms evmctl writes and the kernel checks.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSign,
  type KeyObject,
} from 'node:crypto';
import { createReadStream } from 'node:fs';
import { hashAlgoId } from '../hash-algo.js';
import { hashXattr } from '../ima-xattr.js';
import { KeyLoadError, keyIdOf, loadKeys } from '../keys.js';
import { signatureV2Bytes } from '../signature.js';

/** The digests signature v2 can carry that node:crypto signs with (evmctl's list, less streebog). */
export const SIGNING_HASHES: readonly string[] = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

export interface SigningKey {
  readonly key: KeyObject;
  readonly kind: 'rsa' | 'ec';
  readonly keyid: number;
  readonly source: string;
}

export interface SigningKeyOptions {
  /** Take the key id from this certificate's Subject Key Identifier (evmctl --keyid-from-cert). */
  readonly cert?: { readonly data: Buffer; readonly source: string };
  /** Use this key id (evmctl --keyid). */
  readonly keyid?: number;
  /** For an encrypted private key. */
  readonly passphrase?: string;
}

/** Loads an RSA or EC private key (PEM or DER: PKCS#8, PKCS#1, SEC1) and its key id. */
export function loadSigningKey(
  data: Buffer,
  source: string,
  opts: SigningKeyOptions = {}
): SigningKey {
  let key: KeyObject | undefined;
  let why = '';
  const pem = data.toString('latin1').includes('-----BEGIN ');
  const passphrase = opts.passphrase ? { passphrase: opts.passphrase } : {};
  for (const type of pem ? [undefined] : (['pkcs8', 'pkcs1', 'sec1'] as const)) {
    try {
      key = pem
        ? createPrivateKey({ key: data, format: 'pem', ...passphrase })
        : createPrivateKey({ key: data, format: 'der', type: type!, ...passphrase });
      break;
    } catch (err) {
      why ||= (err as Error).message;
    }
  }
  if (!key)
    throw new KeyLoadError(
      `${source}: expected an RSA or EC private key, PEM or DER (PKCS#8, PKCS#1, SEC1): ${why}`
    );
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec')
    throw new KeyLoadError(`${source}: expected an RSA or EC private key, got ${type}`);
  let keyid = opts.keyid;
  if (keyid === undefined && opts.cert) {
    const [k] = loadKeys(opts.cert.data, opts.cert.source);
    const pub = createPublicKey(key).export({ type: 'spki', format: 'der' });
    if (!k || !k.key.export({ type: 'spki', format: 'der' }).equals(pub))
      throw new KeyLoadError(
        `${opts.cert.source}: the certificate is not for the key in ${source}`
      );
    keyid = k.keyid;
  }
  return { key, kind: type, keyid: keyid ?? keyIdOf(createPublicKey(key)), source };
}

export interface FileSignature {
  readonly algo: string;
  readonly digest: Buffer;
  /** The `security.ima` value. */
  readonly xattr: Buffer;
  readonly keyid?: number;
}

function algoIdOf(algo: string): number {
  const id = hashAlgoId(algo);
  if (id === undefined || !SIGNING_HASHES.includes(algo))
    throw new RangeError(`hash algorithm '${algo}': expected one of ${SIGNING_HASHES.join(', ')}`);
  return id;
}

/** Reads the file once: its digest, and with `key` a signature v2 over it. */
export async function signFile(
  path: string,
  algo: string,
  key?: SigningKey
): Promise<FileSignature> {
  const id = algoIdOf(algo);
  const hash = createHash(algo);
  const signer = key ? createSign(algo) : undefined;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    signer?.update(chunk as Buffer);
  }
  const digest = hash.digest();
  if (!key || !signer) return { algo, digest, xattr: hashXattr(id, digest) };
  // ECDSA signatures come out DER-encoded, RSA ones as PKCS#1 v1.5: both as the kernel reads them.
  const sig = signer.sign({ key: key.key, dsaEncoding: 'der' });
  return { algo, digest, xattr: signatureV2Bytes(id, key.keyid, sig), keyid: key.keyid };
}
