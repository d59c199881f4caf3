/**
 * signature_v2 (ima.md §4.1): `u8 type; u8 version; u8 hash_algo; __be32 keyid; __be16 sig_size;
 * u8 sig[sig_size]` and its verification: RSA PKCS#1 v1.5 over DigestInfo(hash_algo, digest),
 * ECDSA DER {r,s} over the digest itself.
 */
import { constants, publicDecrypt } from 'node:crypto';
import { ecdsaVerifyPrehashed } from './ec-verify.js';
import { hashAlgoName } from './hash-algo.js';
import type { ImaKey, Keyring } from './keys.js';

export interface SignatureV2 {
  /** 0x03 EVM_IMA_XATTR_DIGSIG, 0x05 portable EVM, 0x06 IMA_VERITY_DIGSIG. */
  readonly type: number;
  readonly version: number;
  readonly hashAlgoId: number;
  readonly hashAlgo?: string;
  readonly keyid: number;
  readonly sig: Buffer;
}

const HEADER = 9;

/** Parses a signature header; returns an error message when malformed (sig_size mismatch…). */
export function parseSignatureV2(b: Uint8Array): SignatureV2 | string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < HEADER + 2)
    return `signature is ${buf.length} bytes, shorter than the 9-byte header plus data`;
  const sigSize = buf.readUInt16BE(7);
  // asymmetric_verify: siglen - sizeof(hdr) must equal sig_size, else -EBADMSG.
  if (buf.length - HEADER !== sigSize)
    return `signature header says sig_size ${sigSize}, but ${buf.length - HEADER} bytes follow`;
  const hashAlgo = hashAlgoName(buf[2]!);
  return {
    type: buf[0]!,
    version: buf[1]!,
    hashAlgoId: buf[2]!,
    ...(hashAlgo ? { hashAlgo } : {}),
    keyid: buf.readUInt32BE(3),
    sig: buf.subarray(HEADER),
  };
}

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO: Readonly<Record<string, string>> = {
  md5: '3020300c06082a864886f70d020505000410',
  sha1: '3021300906052b0e03021a05000414',
  sha224: '302d300d06096086480165030402040500041c',
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

/** Verifies `sig` by one key over the prehashed `digest` of `hashAlgo`. */
export function verifyWithKey(
  key: ImaKey,
  hashAlgo: string,
  digest: Uint8Array,
  sig: Uint8Array
): boolean {
  if (key.kind === 'ec') {
    const jwk = key.key.export({ format: 'jwk' });
    if (!jwk.x || !jwk.y || !key.curve) return false;
    return ecdsaVerifyPrehashed(
      key.curve,
      Buffer.from(jwk.x, 'base64url'),
      Buffer.from(jwk.y, 'base64url'),
      digest,
      sig
    );
  }
  const prefix = DIGEST_INFO[hashAlgo];
  if (!prefix) return false;
  try {
    const em = publicDecrypt({ key: key.key, padding: constants.RSA_PKCS1_PADDING }, sig);
    return em.equals(Buffer.concat([Buffer.from(prefix, 'hex'), digest]));
  } catch {
    return false;
  }
}

export type SignatureCheck =
  | { readonly ok: true; readonly key: ImaKey }
  | {
      readonly ok: false;
      readonly reason: 'malformed' | 'version' | 'algorithm' | 'no-key' | 'bad-signature';
      readonly detail: string;
    };

/**
 * Verifies a raw signature xattr against a keyring and the file digest (of algorithm `algo`).
 * The signature's hash_algo must equal `algo`: the digest was computed with it (ima.md §4.2).
 */
export function verifySignature(
  keyring: Keyring,
  raw: Uint8Array,
  algo: string,
  digest: Uint8Array
): SignatureCheck {
  const s = parseSignatureV2(raw);
  if (typeof s === 'string') return { ok: false, reason: 'malformed', detail: s };
  if (s.version !== 2)
    return { ok: false, reason: 'version', detail: `signature version ${s.version}, expected 2` };
  if (s.hashAlgo !== algo)
    return {
      ok: false,
      reason: 'algorithm',
      detail: `signature hash_algo ${s.hashAlgo ?? s.hashAlgoId} differs from the digest's ${algo}`,
    };
  const keys = keyring.find(s.keyid);
  const keyid = s.keyid.toString(16).padStart(8, '0');
  if (keys.length === 0)
    return { ok: false, reason: 'no-key', detail: `no key with id ${keyid} in the keyring` };
  for (const k of keys) if (verifyWithKey(k, algo, digest, s.sig)) return { ok: true, key: k };
  return {
    ok: false,
    reason: 'bad-signature',
    detail: `signature does not verify with key ${keyid}`,
  };
}

/** A signature_v2 value (ima.md §4.1): the 9-byte header, then the signature bytes. */
export function signatureV2Bytes(
  hashAlgoId: number,
  keyid: number,
  sig: Uint8Array,
  type = 0x03
): Buffer {
  if (sig.length > 0xffff) throw new RangeError(`signature of ${sig.length} bytes exceeds 65535`);
  const head = Buffer.alloc(HEADER);
  head.writeUInt8(type, 0);
  head.writeUInt8(2, 1);
  head.writeUInt8(hashAlgoId, 2);
  head.writeUInt32BE(keyid >>> 0, 3);
  head.writeUInt16BE(sig.length, 7);
  return Buffer.concat([head, sig]);
}
