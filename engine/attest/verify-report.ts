/**
 * Checking a report: the agent key is the trusted one, the Ed25519 signature, the caller's nonce,
 * the TPM quote and its binding, and (given a model or trajectory) that measurement, state and
 * counts are what recomputing gives. Every check runs; each failure is a finding naming the field.
 */
import { verifyQuote } from '../tpm/quote-verify.js';
import type { ExpectedState } from './expected-state.js';
import { verifySignature } from './keys.js';
import { type AttestationReport, quoteNonceFor, reportSigningBytes } from './report.js';

export interface Finding {
  /** Dotted id: `report.signature`, `report.nonce`, `quote.pcr_digest`, `state.measurement`, ... */
  readonly id: string;
  readonly reason: string;
}

export interface ReportCheck {
  readonly ok: boolean;
  readonly findings: readonly Finding[];
}

export interface VerifyReportOptions {
  /** The agent key the verifier trusts. */
  readonly publicKey: Uint8Array;
  /** The nonce the verifier sent; when given the report must echo it. */
  readonly nonce?: Buffer;
  readonly expected?: ExpectedState;
  /** Fail when the report carries no TPM quote. */
  readonly requireQuote?: boolean;
}

export function verifyReport(report: AttestationReport, opts: VerifyReportOptions): ReportCheck {
  const findings: Finding[] = [];
  const add = (id: string, reason: string) => findings.push({ id, reason });
  const trusted = Buffer.from(opts.publicKey).toString('base64');
  if (report.agentKey !== trusted)
    add(
      'report.agent_key',
      `report names agent key ${report.agentKey}, the trusted key is ${trusted}`
    );

  const sig = Buffer.from(report.signature, 'base64');
  if (!verifySignature(reportSigningBytes(report), sig, opts.publicKey)) {
    add(
      'report.signature',
      'signature does not verify with the trusted key: a field was changed after signing, or another key signed it'
    );
  }
  if (opts.nonce && report.nonce !== opts.nonce.toString('hex')) {
    add(
      'report.nonce',
      `report nonce ${report.nonce || '(empty)'} differs from the expected ${opts.nonce.toString('hex')} (stale or replayed report)`
    );
  }
  if (report.quote) {
    const q = verifyQuote(report.quote, quoteNonceFor(report));
    if (!q.ok) add(q.id, q.reason);
  } else if (opts.requireQuote) {
    add('quote.missing', 'report carries no TPM quote');
  }
  const e = opts.expected;
  if (e) {
    if (e.aggregate !== undefined && e.aggregate !== report.aggregate) {
      add(
        'state.aggregate',
        `report aggregate ${report.aggregate} differs from the ${e.source} aggregate ${e.aggregate}`
      );
    }
    for (const key of ['measurement', 'state', 'points', 'forensics'] as const) {
      if (report[key] !== e[key])
        add(
          `state.${key}`,
          `report ${key} ${report[key]} differs from ${e[key]} computed from ${e.source}`
        );
    }
  }
  return { ok: findings.length === 0, findings };
}
