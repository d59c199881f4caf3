/**
 * Verifying a TPM2_Quote offline with node:crypto (TPM 2.0 Library Part 3 §18.4): the signature
 * over the TPMS_ATTEST bytes, the signer's Name, the nonce (extraData), and that pcrDigest is the
 * hash of the reported PCR values concatenated in selection order. Pure.
 */
import { type KeyObject, createHash, createPublicKey, verify } from 'node:crypto';
import { AK_ATTRIBUTES } from './marshal.js';
import { TPM_ALG, TPM_ECC_NIST_P256, TPM_GENERATED_VALUE, TPM_RH, hashByAlg } from './constants.js';
import {
  type Attest,
  type EccPublic,
  TpmReader,
  readEccPublic,
  readQuoteAttest,
} from './unmarshal.js';
import { errorMessage } from '../../common/errors.js';

/** A quote as carried in JSON: all binary fields hex. */
export interface QuoteEvidence {
  /** TPMT_PUBLIC of the attestation key. */
  readonly akPublic: string;
  /** TPMS_ATTEST bytes that were signed. */
  readonly attest: string;
  readonly signature: { readonly r: string; readonly s: string };
  readonly bank: string;
  /** PCR index (decimal string) -> value (hex) for every quoted PCR. */
  readonly pcrs: Readonly<Record<string, string>>;
}

export type QuoteCheck =
  | { readonly ok: true; readonly attest: Attest }
  | { readonly ok: false; readonly id: string; readonly reason: string };

function fail(id: string, reason: string): QuoteCheck {
  return { ok: false, id, reason };
}

/** Name of a TPM object (Part 1 §16): nameAlg (u16) || H_nameAlg(TPMT_PUBLIC). */
export function objectName(pub: EccPublic): Buffer {
  const h = hashByAlg(pub.nameAlg);
  if (!h) throw new RangeError(`unknown nameAlg 0x${pub.nameAlg.toString(16)}`);
  const alg = Buffer.alloc(2);
  alg.writeUInt16BE(pub.nameAlg);
  return Buffer.concat([alg, createHash(h.name).update(pub.bytes).digest()]);
}

/** The AK as a node:crypto public key (P-256 point from the TPMT_PUBLIC unique field). */
export function akPublicKey(pub: EccPublic): KeyObject {
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: pub.x.toString('base64url'),
      y: pub.y.toString('base64url'),
    },
    format: 'jwk',
  });
}

/** pcrDigest: H(PCR[i] for i ascending), H = the AK's scheme hash. */
export function pcrDigestOf(hashName: string, values: readonly Buffer[]): Buffer {
  const h = createHash(hashName);
  for (const v of values) h.update(v);
  return h.digest();
}

/**
 * Qualified Name of a primary object (Part 1 §16.6): nameAlg || H(QN(hierarchy) || Name), where a
 * hierarchy's qualified name is its handle. The quote's qualifiedSigner carries this.
 */
export function primaryQualifiedName(pub: EccPublic, hierarchy: number): Buffer {
  const h = hashByAlg(pub.nameAlg)!;
  const handle = Buffer.alloc(4);
  handle.writeUInt32BE(hierarchy);
  const alg = Buffer.alloc(2);
  alg.writeUInt16BE(pub.nameAlg);
  return Buffer.concat([alg, createHash(h.name).update(handle).update(objectName(pub)).digest()]);
}

/** Hierarchies a primary AK may live in: owner, endorsement, platform, null. */
const HIERARCHIES = [TPM_RH.OWNER, TPM_RH.ENDORSEMENT, 0x4000000c, 0x40000007];

function pad32(b: Buffer): Buffer {
  return b.length >= 32 ? b : Buffer.concat([Buffer.alloc(32 - b.length), b]);
}

function parseAk(hex: string): EccPublic | string {
  try {
    const pub = readEccPublic(new TpmReader(Buffer.from(hex, 'hex')));
    if (pub.curve !== TPM_ECC_NIST_P256 || pub.scheme !== TPM_ALG.ECDSA)
      return 'attestation key is not an ECC P-256 ECDSA key';
    if ((pub.attributes & AK_ATTRIBUTES) !== AK_ATTRIBUTES)
      return 'attestation key is not a fixedTPM restricted signing key';
    return pub;
  } catch (err) {
    return errorMessage(err);
  }
}

/** Checks a quote against the nonce the verifier expects as qualifyingData. */
export function verifyQuote(ev: QuoteEvidence, expectedNonce: Buffer): QuoteCheck {
  const pub = parseAk(ev.akPublic);
  if (typeof pub === 'string') return fail('quote.ak_public', `quote: ${pub}`);
  const hash = hashByAlg(pub.schemeHash);
  if (!hash) return fail('quote.ak_public', 'quote: attestation key has no usable scheme hash');
  const attestBytes = Buffer.from(ev.attest, 'hex');
  const sig = Buffer.concat([
    pad32(Buffer.from(ev.signature.r, 'hex')),
    pad32(Buffer.from(ev.signature.s, 'hex')),
  ]);
  const good = verify(
    hash.name,
    attestBytes,
    { key: akPublicKey(pub), dsaEncoding: 'ieee-p1363' },
    sig
  );
  if (!good)
    return fail(
      'quote.signature',
      'quote: the TPM signature does not verify with the attestation key'
    );
  let attest: Attest;
  try {
    attest = readQuoteAttest(attestBytes);
  } catch (err) {
    return fail('quote.attest', `quote: ${errorMessage(err)}`);
  }
  if (attest.magic !== TPM_GENERATED_VALUE)
    return fail('quote.magic', 'quote: TPMS_ATTEST magic is not TPM_GENERATED_VALUE');
  if (!HIERARCHIES.some((h) => attest.qualifiedSigner.equals(primaryQualifiedName(pub, h))))
    return fail('quote.signer', 'quote: signed by a key other than the attestation key given');
  if (!attest.extraData.equals(expectedNonce)) {
    return fail(
      'quote.nonce',
      `quote: qualifyingData is ${attest.extraData.toString('hex')}, expected ${expectedNonce.toString('hex')}`
    );
  }
  const bank = hashByAlg(attest.pcrSelect[0]?.hashAlg ?? -1);
  const quoted = attest.pcrSelect.length === 1 ? attest.pcrSelect[0]!.pcrs : [];
  const given = Object.keys(ev.pcrs)
    .map(Number)
    .sort((a, b) => a - b);
  if (!bank || bank.name !== ev.bank || quoted.join(',') !== given.join(',')) {
    return fail(
      'quote.pcr_selection',
      `quote: covers ${bank?.name ?? '?'} PCRs ${quoted.join(',')}, the report lists ${ev.bank} PCRs ${given.join(',')}`
    );
  }
  const digest = pcrDigestOf(
    hash.name,
    quoted.map((i) => Buffer.from(ev.pcrs[String(i)]!, 'hex'))
  );
  if (!digest.equals(attest.pcrDigest))
    return fail(
      'quote.pcr_digest',
      'quote: pcrDigest does not match the hash of the reported PCR values'
    );
  return { ok: true, attest };
}
