/**
 * Certifying an attestation key through the endorsement key (docs/attestation.md §2): the EK
 * certificate chains to a CA the verifier trusts and is for the TPM's EK, and a credential made
 * for the AK's Name comes back from TPM2_ActivateCredential. Pure apart from the activation call.
 */
import { randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto';
import { EngineError, errorMessage } from '../../common/errors.js';
import { makeCredential, rsaPublicKey } from '../tpm/make-credential.js';
import { objectName } from '../tpm/quote-verify.js';
import { TpmReader, readEccPublic, readRsaPublic } from '../tpm/unmarshal.js';
import type { Finding } from './finding.js';

export interface AkDescription {
  readonly akPublic: Buffer;
  readonly akName: Buffer;
  readonly ekPublic: Buffer;
  readonly ekCertificate?: Buffer;
}

export interface EkCertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly fingerprint256: string;
  readonly validTo: string;
}

/** Every certificate in PEM text (or one DER certificate). */
export function parseCertificates(data: Buffer, source: string): X509Certificate[] {
  const text = data.toString('latin1');
  try {
    if (!text.includes('-----BEGIN ')) return [new X509Certificate(data)];
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
    if (!blocks) throw new Error('no CERTIFICATE block');
    return blocks.map((b) => new X509Certificate(b));
  } catch (err) {
    throw new EngineError(
      'TSEM_PARSE',
      `${source}: expected X.509 certificates, PEM or DER (${errorMessage(err)})`
    );
  }
}

function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  try {
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/**
 * The EK certificate must be valid now, chain through the given certificates (every one of them
 * trusted: give the issuing CA, or the root with its intermediates) and certify the EK's key.
 */
export function checkEkCertificate(
  a: AkDescription,
  cas: readonly X509Certificate[],
  now = new Date()
): { findings: Finding[]; info?: EkCertificateInfo } {
  if (!a.ekCertificate || a.ekCertificate.length === 0)
    return {
      findings: [
        { id: 'ek.certificate', reason: 'the TPM has no EK certificate (NV index 0x01c00002)' },
      ],
    };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(a.ekCertificate);
  } catch (err) {
    return {
      findings: [
        { id: 'ek.certificate', reason: `the EK certificate does not parse: ${errorMessage(err)}` },
      ],
    };
  }
  const info: EkCertificateInfo = {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    validTo: cert.validTo,
  };
  const findings: Finding[] = [];
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo))
    findings.push({
      id: 'ek.validity',
      reason: `the EK certificate is valid ${cert.validFrom} to ${cert.validTo}`,
    });
  // Walk up through the given certificates; any of them is a trust anchor.
  let chained = false;
  let current = cert;
  for (let depth = 0; depth < 8 && !chained; depth++) {
    const issuer = cas.find((ca) => issuedBy(current, ca));
    if (!issuer) break;
    chained = true;
    current = issuer;
  }
  if (!chained)
    findings.push({
      id: 'ek.chain',
      reason: `the EK certificate (issuer ${cert.issuer.replace(/\n/g, ', ')}) is not issued by any CA given`,
    });
  try {
    const ek = rsaPublicKey(readRsaPublic(new TpmReader(a.ekPublic)));
    const spki = (k: typeof ek) => k.export({ type: 'spki', format: 'der' });
    if (!spki(ek).equals(spki(cert.publicKey)))
      findings.push({
        id: 'ek.key',
        reason: "the EK certificate is for another key than the TPM's EK",
      });
  } catch (err) {
    findings.push({ id: 'ek.key', reason: `the EK public area: ${errorMessage(err)}` });
  }
  return { findings, info };
}

/**
 * Credential activation: a random secret made for the AK's Name under the EK must come back from
 * the TPM. The AK's Name is recomputed from its public area, never taken on trust.
 */
export async function activateForAk(
  a: AkDescription,
  activate: (credentialBlob: Buffer, encryptedSecret: Buffer) => Promise<Buffer>
): Promise<Finding[]> {
  let name: Buffer;
  try {
    name = objectName(readEccPublic(new TpmReader(a.akPublic)));
  } catch (err) {
    return [{ id: 'ak.public', reason: `the AK public area: ${errorMessage(err)}` }];
  }
  if (!name.equals(a.akName))
    return [
      {
        id: 'ak.name',
        reason: `the server names the AK ${a.akName.toString('hex')}, its public area gives ${name.toString('hex')}`,
      },
    ];
  const secret = randomBytes(32);
  let cred;
  try {
    cred = makeCredential(readRsaPublic(new TpmReader(a.ekPublic)), name, secret);
  } catch (err) {
    return [{ id: 'ek.key', reason: `cannot make a credential for the EK: ${errorMessage(err)}` }];
  }
  let back: Buffer;
  try {
    back = await activate(cred.credentialBlob, cred.encryptedSecret);
  } catch (err) {
    return [
      { id: 'ak.activation', reason: `TPM2_ActivateCredential failed: ${errorMessage(err)}` },
    ];
  }
  return back.length === secret.length && timingSafeEqual(back, secret)
    ? []
    : [
        {
          id: 'ak.activation',
          reason: 'the TPM returned another secret: the AK and the EK are not in the same TPM',
        },
      ];
}
