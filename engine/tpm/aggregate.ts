/**
 * The TPM side of the TSEM model: the hardware aggregate (tsem-model.md §2.7) and the extension
 * of root namespace coefficients into a PCR (§2.6).
 */
import { createDigest } from '../measure/digest.js';
import type { TpmClient } from './client.js';
import { hashByAlg } from './constants.js';

/** The PCR root namespace coefficients go to (CONFIG_SECURITY_TSEM_ROOT_MODEL_PCR, §2.6). */
export const DEFAULT_MODEL_PCR = 11;
/** PCRs 0-7 of the SHA-256 bank feed the aggregate on TPM 2.0 (§2.7). */
export const AGGREGATE_PCRS = [0, 1, 2, 3, 4, 5, 6, 7] as const;
export const AGGREGATE_BANK = 'sha256';

/**
 * §2.7: AGGREGATE = HF_root(PCR0 || ... || PCR7), each PCR copied into a zeroed buffer of
 * digestsize(HF_root) bytes (so zero-padded or truncated). Pure.
 */
export function aggregateOf(pcrValues: readonly Buffer[], digestName: string): Buffer {
  const alg = createDigest(digestName);
  const parts = pcrValues.map((v) => {
    const b = Buffer.alloc(alg.size);
    v.copy(b, 0, 0, Math.min(v.length, alg.size));
    return b;
  });
  return alg.hash(...parts);
}

/** The hardware aggregate from a live TPM; all zeros when there is none (§2.7). */
export async function hardwareAggregate(
  tpm: TpmClient | undefined,
  digestName: string
): Promise<Buffer> {
  if (!tpm) return Buffer.from(createDigest(digestName).nullDigest);
  const pcrs = await tpm.pcrRead(AGGREGATE_BANK, AGGREGATE_PCRS);
  return aggregateOf(
    AGGREGATE_PCRS.map((i) => pcrs.get(i)!),
    digestName
  );
}

/**
 * §2.6 (trust.c): the coefficient is copied into every allocated bank, truncated or zero-padded
 * to the bank's digest size. Pure.
 */
export function coefficientDigests(
  coefficient: Buffer,
  banks: readonly number[]
): { bank: string; digest: Buffer }[] {
  const out: { bank: string; digest: Buffer }[] = [];
  for (const alg of banks) {
    const h = hashByAlg(alg);
    if (!h) continue; // a bank we cannot name cannot be extended by us either
    const digest = Buffer.alloc(h.size);
    coefficient.copy(digest, 0, 0, Math.min(coefficient.length, h.size));
    out.push({ bank: h.name, digest });
  }
  return out;
}

/** Extends a root namespace coefficient into `pcr` of every allocated bank (§2.6). */
export async function extendCoefficient(
  tpm: TpmClient,
  coefficient: Buffer,
  pcr = DEFAULT_MODEL_PCR,
  banks?: readonly number[]
): Promise<void> {
  const allocated =
    banks ?? (await tpm.pcrBanks()).filter((s) => s.pcrs.includes(pcr)).map((s) => s.hashAlg);
  await tpm.pcrExtend(pcr, coefficientDigests(coefficient, allocated));
}
