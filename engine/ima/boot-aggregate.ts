/**
 * boot_aggregate (ima.md §2, ima_crypto.c ima_calc_boot_aggregate_tfm):
 * SHA-1 bank → SHA1(PCR0 ‖ … ‖ PCR7); any other bank → H(PCR0 ‖ … ‖ PCR9).
 * The 0–7 variant for other banks (kernels between 6f1a1d103b48 and 20c59ce010f8) is an option.
 */
import { digestSize, hashBytes } from './hash-algo.js';
import { buildEntry } from './entry-builder.js';
import type { TemplateEntry } from './template-entry.js';

export interface BootAggregateOptions {
  /** Number of PCRs hashed; default 8 for sha1, 10 otherwise. */
  readonly pcrCount?: 8 | 10;
}

/** boot_aggregate over `pcrs[0..n-1]` of one bank; throws RangeError on a wrong PCR size. */
export function bootAggregate(
  bank: string,
  pcrs: readonly Uint8Array[],
  opts: BootAggregateOptions = {}
): Buffer {
  const n = opts.pcrCount ?? (bank === 'sha1' ? 8 : 10);
  const size = digestSize(bank);
  if (size === undefined) throw new RangeError(`unknown bank '${bank}'`);
  if (pcrs.length < n)
    throw new RangeError(`boot_aggregate needs PCR 0-${n - 1}, got ${pcrs.length} PCRs`);
  const parts = pcrs.slice(0, n);
  for (const [i, p] of parts.entries()) {
    if (p.length !== size)
      throw new RangeError(`PCR ${i} has ${p.length} bytes, ${bank} needs ${size}`);
  }
  return hashBytes(bank, ...parts);
}

/** Every variant a verifier should accept for a bank (ima.md §2 history; keylime hedges the same way). */
export function bootAggregateVariants(bank: string, pcrs: readonly Uint8Array[]): Buffer[] {
  if (bank === 'sha1') return [bootAggregate(bank, pcrs, { pcrCount: 8 })];
  const out = [bootAggregate(bank, pcrs, { pcrCount: 8 })];
  if (pcrs.length >= 10) out.push(bootAggregate(bank, pcrs, { pcrCount: 10 }));
  return out;
}

/**
 * The first list entry (ima.md §2): `boot_aggregate` in `template`, digest from the chosen bank
 * (all zeros without a TPM, which is not a violation). Template `ima` gets the SHA-1 value or zeros.
 */
export function bootAggregateEntry(
  template: string,
  algo: string,
  digest: Uint8Array,
  nsId?: Uint8Array
): TemplateEntry {
  const sha1Digest = algo === 'sha1' ? digest : Buffer.alloc(20);
  return buildEntry(10, template, {
    algo,
    digest,
    name: 'boot_aggregate',
    sha1Digest,
    ...(nsId ? { nsId } : {}),
  });
}
