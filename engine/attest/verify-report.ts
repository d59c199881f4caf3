/**
 * Checking a report: the agent key is the trusted one, the Ed25519 signature, the caller's nonce,
 * the TPM quote and its binding, and (given a model or trajectory) that measurement, state and
 * counts are what recomputing gives. Every check runs; each failure is a finding naming the field.
 */
import type { TemplateEntry } from '../ima/template-entry.js';
import { DEFAULT_MODEL_PCR } from '../tpm/aggregate.js';
import { objectName, verifyQuote } from '../tpm/quote-verify.js';
import { TpmReader, readEccPublic } from '../tpm/unmarshal.js';
import type { ExpectedState } from './expected-state.js';
import type { Finding } from './finding.js';
import { verifySignature } from './keys.js';
import {
  checkAggregate,
  checkHostLog,
  checkReferencePcrs,
  checkRootPoints,
} from './quoted-pcrs.js';
import { type AttestationReport, quoteNonceFor, reportSigningBytes } from './report.js';

export type { Finding } from './finding.js';

/** The Name (hex) of the AK that signed a quote, or undefined when its public area is malformed. */
export function akNameOf(akPublicHex: string): string | undefined {
  try {
    return objectName(readEccPublic(new TpmReader(Buffer.from(akPublicHex, 'hex')))).toString(
      'hex'
    );
  } catch {
    return undefined;
  }
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
  /** The attestation key's Name (hex) the verifier pinned (docs/attestation.md §2). */
  readonly akName?: string;
  /** The host IMA log, to replay to the quoted PCR 10. */
  readonly hostLog?: {
    readonly entries: readonly TemplateEntry[];
    readonly logBank: string;
    readonly source: string;
  };
  /** The root namespace's points in first-seen order, to replay to the quoted model PCR. */
  readonly rootPoints?: {
    readonly points: readonly Buffer[];
    readonly source: string;
    /** The report is the root namespace's own: exactly this many points. */
    readonly exact?: number;
  };
  /** The model PCR (default 11). */
  readonly modelPcr?: number;
  /** Reference PCR values (golden boot measurements) of the quote's bank, and where they came from. */
  readonly referencePcrs?: {
    readonly values: ReadonlyMap<number, string>;
    readonly source: string;
  };
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
  const quote = report.quote;
  if (quote) {
    const q = verifyQuote(quote, quoteNonceFor(report));
    if (!q.ok) add(q.id, q.reason);
    if (opts.akName !== undefined) {
      const name = akNameOf(quote.akPublic);
      if (name !== opts.akName.toLowerCase())
        add(
          'quote.ak',
          `the quote was signed by attestation key ${name ?? '(malformed)'}, the pinned key is ${opts.akName}`
        );
    }
    if (opts.referencePcrs)
      findings.push(
        ...checkReferencePcrs(quote, opts.referencePcrs.values, opts.referencePcrs.source)
      );
    const agg = checkAggregate(quote, report.digest, report.aggregate);
    if (agg) findings.push(agg);
    if (opts.hostLog)
      findings.push(
        ...checkHostLog(quote, opts.hostLog.entries, opts.hostLog.logBank, opts.hostLog.source)
      );
    if (opts.rootPoints) {
      const r = opts.rootPoints;
      const f = checkRootPoints(
        quote,
        r.points,
        r.source,
        opts.modelPcr ?? DEFAULT_MODEL_PCR,
        r.exact
      );
      if (f) findings.push(f);
    }
  } else if (opts.requireQuote) {
    add('quote.missing', 'report carries no TPM quote');
  }
  if (
    !quote &&
    !opts.requireQuote &&
    (opts.hostLog || opts.rootPoints || opts.referencePcrs || opts.akName !== undefined)
  )
    add('quote.missing', 'report carries no TPM quote: PCRs and attestation key cannot be checked');
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
