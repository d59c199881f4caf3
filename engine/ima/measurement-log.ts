/**
 * A namespace's measurement list: append with the kernel's de-duplication by template digest
 * (ima.md §1.6 step 1), running PCR values per bank, violation counter, and both output formats.
 */
import { digestSize, hashBytes } from './hash-algo.js';
import { writeAsciiList } from './measurement-list-ascii.js';
import { writeBinaryList } from './measurement-list-binary.js';
import { PcrBanks } from './pcr-replay.js';
import { hashedBytes, type TemplateEntry } from './template-entry.js';

export class MeasurementLog {
  readonly entries: TemplateEntry[] = [];
  readonly pcrs: PcrBanks;
  /** The `violations` securityfs counter. */
  violations = 0;
  /** `pcr:digest` in the ima_hash_algo bank of every stored entry (the kernel's htable). */
  private readonly seen = new Set<string>();

  constructor(
    readonly banks: readonly string[] = ['sha1', 'sha256'],
    readonly hashAlgo = 'sha256',
    /** CONFIG_IMA_DISABLE_HTABLE turns de-duplication off. */
    readonly dedupe = true
  ) {
    this.pcrs = new PcrBanks(banks);
  }

  /** Appends and extends; false (nothing appended) when the template digest already exists. */
  add(entry: TemplateEntry): boolean {
    if (entry.violation) {
      this.violations++;
    } else if (this.dedupe) {
      const key = `${entry.pcr}:${hashBytes(this.hashAlgo, hashedBytes(entry)).toString('hex')}`;
      if (this.seen.has(key)) return false; // audit hash_exists, -EEXIST
      this.seen.add(key);
    }
    this.entries.push(entry);
    this.pcrs.extendEntry(entry);
    return true;
  }

  /** PCR value in `bank` (the namespace's PCR-10-style aggregate by default). */
  aggregate(bank: string, pcr = 10): Buffer {
    return this.pcrs.get(bank, pcr);
  }

  toAscii(bank = 'sha1'): string {
    return writeAsciiList(this.entries, bank, digestSize(bank)!);
  }

  toBinary(bank = 'sha1'): Buffer {
    return writeBinaryList(this.entries, bank, digestSize(bank)!);
  }
}
