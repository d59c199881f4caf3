/**
 * The hardware aggregate the engine seeds every namespace with (tsem-model.md §2.7): PCRs 0-7 of
 * the SHA-256 bank are read once at start, then hashed per namespace digest on demand.
 */
import { createDigest } from '../measure/digest.js';
import { AGGREGATE_BANK, AGGREGATE_PCRS, aggregateOf } from '../tpm/aggregate.js';
import type { TpmClient } from '../tpm/client.js';

/** PCRs 0-7 (SHA-256 bank) in index order, read once: the boot state does not change while we run. */
export async function readAggregatePcrs(tpm: TpmClient): Promise<Buffer[]> {
  const values = await tpm.pcrRead(AGGREGATE_BANK, AGGREGATE_PCRS);
  return AGGREGATE_PCRS.map((i) => values.get(i)!);
}

/**
 * A synchronous aggregate per digest name, cached. Without PCR values (no TPM) the aggregate is
 * the zero digest (§2.7: "No TPM means AGGREGATE = all zeros").
 */
export function createPlatformAggregate(
  pcrs: readonly Buffer[] | undefined
): (digest: string) => Buffer {
  const cache = new Map<string, Buffer>();
  return (digest) => {
    const name = createDigest(digest).name;
    let value = cache.get(name);
    if (!value) {
      value = pcrs ? aggregateOf(pcrs, name) : Buffer.from(createDigest(name).nullDigest);
      cache.set(name, value);
    }
    // A copy: callers keep it in namespace configs and must not be able to change ours.
    return Buffer.from(value);
  };
}
