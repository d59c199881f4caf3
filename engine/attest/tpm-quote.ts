/** Collects TPM quote evidence for a report: AK, Quote over the relevant PCRs, their values. */
import type { AttestationKey, TpmClient } from '../tpm/client.js';
import { AGGREGATE_PCRS, DEFAULT_MODEL_PCR } from '../tpm/aggregate.js';
import type { QuoteEvidence } from '../tpm/quote-verify.js';
import { EngineError } from '../../common/errors.js';

/** The IMA PCR (ima.md): the root IMA log is extended here. */
export const IMA_PCR = 10;
/** PCRs 0-7 (aggregate), 10 (IMA) and the model PCR (root coefficients), tsem-model.md §2.6–2.7. */
export const REPORT_PCRS: readonly number[] = [...AGGREGATE_PCRS, IMA_PCR, DEFAULT_MODEL_PCR];
const ATTEMPTS = 3;

/**
 * Quotes `pcrs` with `qualifyingData`, signed by the attestation key `ak` (persistent: see
 * engine/tpm/attestation-key.ts). The PCR values are read before and after the quote; if an
 * extend raced with us they differ and we quote again, so values and quote agree.
 */
export async function collectQuote(
  tpm: TpmClient,
  ak: AttestationKey,
  qualifyingData: Buffer,
  pcrs: readonly number[] = REPORT_PCRS,
  bank = 'sha256'
): Promise<QuoteEvidence> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const before = await tpm.pcrRead(bank, pcrs);
    const q = await tpm.quote(ak, qualifyingData, bank, pcrs);
    const after = await tpm.pcrRead(bank, pcrs);
    if (![...before].every(([k, v]) => after.get(k)!.equals(v))) continue;
    return {
      akPublic: ak.publicArea.bytes.toString('hex'),
      attest: q.attest.toString('hex'),
      signature: { r: q.signature.r.toString('hex'), s: q.signature.s.toString('hex') },
      bank,
      pcrs: Object.fromEntries(
        [...after].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), v.toString('hex')])
      ),
    };
  }
  throw new EngineError(
    'TSEM_UNAVAILABLE',
    `TPM ${tpm.description}: PCRs kept changing during ${ATTEMPTS} quote attempts`
  );
}
