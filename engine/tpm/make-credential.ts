/**
 * TPM2_MakeCredential done by the verifier in software (TPM 2.0 Library Part 1 §24 "Credential
 * Protection", Part 3 §12.6): a credential wrapped so that only a TPM holding both the endorsement
 * key and an object of the given Name can unwrap it with TPM2_ActivateCredential. For an RSA EK
 * with SHA-256 name and AES-128-CFB: the seed is RSA-OAEP-encrypted to the EK with the label
 * "IDENTITY", the credential is AES-CFB-encrypted under KDFa(seed, "STORAGE", name) and guarded by
 * an HMAC under KDFa(seed, "INTEGRITY"). Pure (node:crypto).
 */
import {
  constants,
  createCipheriv,
  createHmac,
  createPublicKey,
  type KeyObject,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { TPM_ALG, hashByAlg } from './constants.js';
import { TpmWriter } from './marshal.js';
import type { RsaPublic } from './unmarshal.js';

/** Part 1 §11.4.10.2 KDFa: counter-mode HMAC over i ‖ label ‖ 0 ‖ contextU ‖ contextV ‖ bits. */
export function kdfa(
  hash: string,
  key: Buffer,
  label: string,
  contextU: Buffer,
  contextV: Buffer,
  bits: number
): Buffer {
  const out: Buffer[] = [];
  const bytes = Math.ceil(bits / 8);
  const counter = Buffer.alloc(4);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(bits);
  for (let i = 1, have = 0; have < bytes; i++) {
    counter.writeUInt32BE(i);
    const block = createHmac(hash, key)
      .update(counter)
      .update(label, 'latin1')
      .update(Buffer.of(0))
      .update(contextU)
      .update(contextV)
      .update(size)
      .digest();
    out.push(block);
    have += block.length;
  }
  return Buffer.concat(out).subarray(0, bytes);
}

/** The EK's public key for node:crypto (the modulus of its TPMT_PUBLIC; exponent 0 is 65537). */
export function rsaPublicKey(ek: RsaPublic): KeyObject {
  const e = Buffer.alloc(4);
  e.writeUInt32BE(ek.exponent === 0 ? 65537 : ek.exponent);
  return createPublicKey({
    key: {
      kty: 'RSA',
      n: ek.modulus.toString('base64url'),
      e: e.subarray(e.findIndex((b) => b !== 0)).toString('base64url'),
    },
    format: 'jwk',
  });
}

export interface Credential {
  /** TPM2B_ID_OBJECT contents: TPM2B(integrity HMAC) ‖ encrypted TPM2B(credential). */
  readonly credentialBlob: Buffer;
  /** TPM2B_ENCRYPTED_SECRET contents: the seed, RSA-OAEP-encrypted to the EK. */
  readonly encryptedSecret: Buffer;
}

/** Wraps `credential` (at most the EK's name digest size) for the object named `name`. */
export function makeCredential(
  ek: RsaPublic,
  name: Buffer,
  credential: Buffer,
  seed: Buffer = randomBytes(hashByAlg(ek.nameAlg)?.size ?? 32)
): Credential {
  const h = hashByAlg(ek.nameAlg);
  if (!h) throw new RangeError(`EK nameAlg 0x${ek.nameAlg.toString(16)} is not a hash we know`);
  if (ek.symmetric !== TPM_ALG.AES)
    throw new RangeError('EK symmetric algorithm is not AES (the TCG templates use AES-128-CFB)');
  if (credential.length > h.size)
    throw new RangeError(`credential of ${credential.length} bytes exceeds ${h.size}`);
  const encryptedSecret = publicEncrypt(
    {
      key: rsaPublicKey(ek),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: h.name,
      oaepLabel: Buffer.from('IDENTITY\0', 'latin1'),
    },
    seed
  );
  const symKey = kdfa(h.name, seed, 'STORAGE', name, Buffer.alloc(0), 128);
  const plain = new TpmWriter().tpm2b(credential).toBuffer();
  const cipher = createCipheriv('aes-128-cfb', symKey, Buffer.alloc(16));
  const encIdentity = Buffer.concat([cipher.update(plain), cipher.final()]);
  const hmacKey = kdfa(h.name, seed, 'INTEGRITY', Buffer.alloc(0), Buffer.alloc(0), h.size * 8);
  const outerHmac = createHmac(h.name, hmacKey).update(encIdentity).update(name).digest();
  return {
    credentialBlob: new TpmWriter().tpm2b(outerHmac).bytes(encIdentity).toBuffer(),
    encryptedSecret,
  };
}
