/**
 * The attestation report (issue 6; tsem-model.md §4.3 leaves the format open): a JSON object
 * naming one namespace's aggregate, measurement, state, point and forensics counts and mode, the
 * caller's nonce, the agent's Ed25519 public key and, when a TPM is configured, a quote of the
 * relevant PCRs whose qualifyingData binds it to this report. The agent signs the canonical
 * encoding (canonical.ts) of everything but `signature`.
 */
import { createHash } from 'node:crypto';
import type { QuoteEvidence } from '../tpm/quote-verify.js';
import { QUOTE_BINDING_TAG, REPORT_TAG, signingBytes } from './canonical.js';

export const REPORT_VERSION = 1;

/** What the agent states about a namespace. Binary values are lowercase hex. */
export interface ReportBody {
  readonly version: number;
  readonly namespace: string;
  readonly digest: string;
  readonly aggregate: string;
  readonly base: string;
  readonly measurement: string;
  readonly state: string;
  readonly points: number;
  readonly forensics: number;
  readonly mode: string;
  /** The verifier's freshness nonce, echoed. */
  readonly nonce: string;
  /** The agent's Ed25519 public key, base64. */
  readonly agentKey: string;
}

export interface AttestationReport extends ReportBody {
  readonly quote?: QuoteEvidence;
  /** Ed25519 signature, base64, over reportSigningBytes(). */
  readonly signature: string;
}

function bodyOf(r: ReportBody): ReportBody {
  const {
    version,
    namespace,
    digest,
    aggregate,
    base,
    measurement,
    state,
    points,
    forensics,
    mode,
    nonce,
    agentKey,
  } = r;
  return {
    version,
    namespace,
    digest,
    aggregate,
    base,
    measurement,
    state,
    points,
    forensics,
    mode,
    nonce,
    agentKey,
  };
}

/**
 * The quote's qualifyingData: SHA-256 over the tagged canonical body, so the TPM quote is
 * fresh (it covers the nonce) and cannot be moved to another report.
 */
export function quoteNonceFor(body: ReportBody): Buffer {
  return createHash('sha256')
    .update(signingBytes(QUOTE_BINDING_TAG, { ...bodyOf(body) }))
    .digest();
}

/** The bytes the agent signs: every field but `signature`. */
export function reportSigningBytes(
  report: ReportBody & { readonly quote?: QuoteEvidence }
): Buffer {
  const quote = report.quote
    ? { ...report.quote, signature: { ...report.quote.signature }, pcrs: { ...report.quote.pcrs } }
    : undefined;
  return signingBytes(REPORT_TAG, { ...bodyOf(report), quote });
}

/** Assembles and signs a report; `sign` is the agent's Ed25519 signer. */
export function signReport(
  body: ReportBody,
  quote: QuoteEvidence | undefined,
  sign: (message: Uint8Array) => Uint8Array
): AttestationReport {
  const unsigned = { ...bodyOf(body), ...(quote ? { quote } : {}) };
  return {
    ...unsigned,
    signature: Buffer.from(sign(reportSigningBytes(unsigned))).toString('base64'),
  };
}
