/**
 * Verification keys from X.509 certificates or PEM/DER public keys, with the IMA key id
 * (ima.md §4.1 "keyid"): the last 4 bytes of the certificate's Subject Key Identifier, else
 * SHA1(subjectPublicKey BIT STRING contents)[16..20] as evmctl calc_keyid_v2 computes it.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { hashBytes } from './hash-algo.js';

export interface ImaKey {
  readonly keyid: number;
  readonly key: KeyObject;
  readonly kind: 'rsa' | 'ec';
  /** JWK curve name for EC keys (P-256, P-384, secp256k1). */
  readonly curve?: string;
  /** Where the key came from, for messages. */
  readonly source: string;
  /** The DER it was loaded from (the whole certificate, or the SPKI), so it can be stored again. */
  readonly der: Buffer;
  readonly format: 'x509' | 'spki';
}

export class KeyLoadError extends Error {
  override readonly name = 'KeyLoadError';
}

/** Content of the subjectPublicKey BIT STRING in an SPKI DER (unused-bits byte dropped). */
function spkiKeyBits(spki: Buffer): Buffer {
  let o = 0;
  const header = (): [number, number] => {
    const tag = spki[o++]!;
    let len = spki[o++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + spki[o++]!;
    }
    return [tag, len];
  };
  header(); // SEQUENCE SubjectPublicKeyInfo
  const [, algLen] = header(); // SEQUENCE AlgorithmIdentifier
  o += algLen;
  const [tag, len] = header();
  if (tag !== 0x03) throw new KeyLoadError('SPKI has no subjectPublicKey BIT STRING');
  return spki.subarray(o + 1, o + len);
}

/** Last 4 bytes of the SubjectKeyIdentifier extension (OID 2.5.29.14), if present. */
function skidKeyId(certDer: Buffer): number | undefined {
  const oid = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0e]);
  const at = certDer.indexOf(oid);
  if (at < 0) return undefined;
  // extnValue OCTET STRING wrapping KeyIdentifier OCTET STRING.
  let o = at + oid.length;
  if (certDer[o] === 0x01) o += 3; // optional critical BOOLEAN
  if (certDer[o] !== 0x04 || certDer[o + 2] !== 0x04) return undefined;
  const len = certDer[o + 3]!;
  const id = certDer.subarray(o + 4, o + 4 + len);
  return id.length >= 4 ? id.readUInt32BE(id.length - 4) : undefined;
}

/** evmctl calc_keyid_v2: SHA1(subjectPublicKey)[16..20] as a big-endian u32. */
export function keyIdOf(key: KeyObject): number {
  const bits = spkiKeyBits(key.export({ type: 'spki', format: 'der' }));
  return hashBytes('sha1', bits).readUInt32BE(16);
}

function fromKeyObject(
  key: KeyObject,
  source: string,
  cert?: { readonly der: Buffer; readonly keyid: number | undefined }
): ImaKey {
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec')
    throw new KeyLoadError(`${source}: expected an RSA or EC key, got ${type}`);
  const curve = type === 'ec' ? (key.export({ format: 'jwk' }).crv as string) : undefined;
  return {
    keyid: cert?.keyid ?? keyIdOf(key),
    key,
    kind: type,
    ...(curve ? { curve } : {}),
    source,
    der: cert?.der ?? key.export({ type: 'spki', format: 'der' }),
    format: cert ? 'x509' : 'spki',
  };
}

/** An IMA key from a public key object (SPKI form, key id by calc_keyid_v2). */
export function imaKeyOf(key: KeyObject, source: string): ImaKey {
  return fromKeyObject(key, source);
}

function fromCert(der: Buffer, source: string): ImaKey {
  const cert = new X509Certificate(der);
  return fromKeyObject(cert.publicKey, source, { der: cert.raw, keyid: skidKeyId(cert.raw) });
}

/** Loads every key in a PEM bundle or a single DER cert/SPKI; `source` names it in errors. */
export function loadKeys(data: Buffer, source: string): ImaKey[] {
  const text = data.toString('latin1');
  if (text.includes('-----BEGIN ')) {
    const keys: ImaKey[] = [];
    for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)) {
      const label = m[1]!;
      try {
        if (label === 'CERTIFICATE' || label === 'X509 CERTIFICATE')
          keys.push(fromCert(Buffer.from(new X509Certificate(m[0]).raw), source));
        else if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY')
          keys.push(fromKeyObject(createPublicKey(m[0]), source));
      } catch (err) {
        if (err instanceof KeyLoadError) throw err;
        throw new KeyLoadError(`${source}: cannot read PEM ${label}: ${(err as Error).message}`);
      }
    }
    if (keys.length === 0)
      throw new KeyLoadError(`${source}: expected a PEM CERTIFICATE or PUBLIC KEY block`);
    return keys;
  }
  try {
    return [fromCert(data, source)];
  } catch {
    try {
      return [fromKeyObject(createPublicKey({ key: data, format: 'der', type: 'spki' }), source)];
    } catch {
      throw new KeyLoadError(`${source}: expected a PEM or DER X.509 certificate or public key`);
    }
  }
}

/** The keys a namespace appraises with (its `.ima` keyring), indexed by key id. */
export class Keyring {
  private readonly byId = new Map<number, ImaKey[]>();

  constructor(keys: readonly ImaKey[] = []) {
    for (const k of keys) this.add(k);
  }

  add(key: ImaKey): void {
    const list = this.byId.get(key.keyid) ?? [];
    list.push(key);
    this.byId.set(key.keyid, list);
  }

  find(keyid: number): readonly ImaKey[] {
    return this.byId.get(keyid) ?? [];
  }

  /** Removes every key with this id; returns how many there were. */
  remove(keyid: number): number {
    const n = this.byId.get(keyid)?.length ?? 0;
    this.byId.delete(keyid);
    return n;
  }

  /** Every key, by id then in the order added. */
  keys(): ImaKey[] {
    return [...this.byId.entries()].sort(([a], [b]) => a - b).flatMap(([, l]) => l);
  }

  get size(): number {
    let n = 0;
    for (const l of this.byId.values()) n += l.length;
    return n;
  }
}
