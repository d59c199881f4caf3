/**
 * PCR replay per bank with the kernel's violation semantics (ima.md §1.6):
 * PCR_X[i] = H_X(PCR_X[i] ‖ ext_X), ext_X = 0xFF×|H_X| for a violation, else H_X(template data).
 */
import { digestSize, hashBytes } from './hash-algo.js';
import { hashedBytes, type TemplateEntry } from './template-entry.js';

/** Running PCR values per bank and index, all starting at zero. */
export class PcrBanks {
  /** bank → PCR index → value; only touched PCRs are present. */
  private readonly values = new Map<string, Map<number, Buffer>>();
  /** Per bank: digest size and a reusable `PCR ‖ ext` buffer, so an extend is one hash call. */
  private readonly scratch = new Map<string, { size: number; buf: Buffer; ff: Buffer }>();

  constructor(readonly banks: readonly string[]) {
    for (const b of banks) {
      const size = digestSize(b);
      if (size === undefined) throw new RangeError(`unknown PCR bank '${b}'`);
      this.values.set(b, new Map());
      this.scratch.set(b, { size, buf: Buffer.alloc(2 * size), ff: Buffer.alloc(size, 0xff) });
    }
  }

  /** PCR value (zeros if never extended). */
  get(bank: string, pcr: number): Buffer {
    const m = this.values.get(bank);
    if (!m) throw new RangeError(`bank '${bank}' is not replayed`);
    return m.get(pcr) ?? Buffer.alloc(digestSize(bank)!);
  }

  /** Indexes extended at least once in `bank`, ascending. */
  indexes(bank: string): number[] {
    return [...(this.values.get(bank)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** PCR[pcr] = H_bank(PCR[pcr] ‖ value) (ima.md §1.6). */
  extend(bank: string, pcr: number, value: Uint8Array): void {
    const m = this.values.get(bank)!;
    const s = this.scratch.get(bank)!;
    const prev = m.get(pcr);
    if (prev) s.buf.set(prev, 0);
    else s.buf.fill(0, 0, s.size);
    s.buf.set(value, s.size);
    m.set(pcr, hashBytes(bank, s.buf));
  }

  /**
   * Extends every bank with `entry`; `paddedSha1` replays pre-5.8 kernels (§1.5 history).
   * `known` supplies digests already computed (the log bank's, during verification).
   */
  extendEntry(entry: TemplateEntry, paddedSha1 = false, knownBank?: string, knownDigest?: Buffer): void {
    let sha1: Buffer | undefined;
    const bytes = entry.violation ? undefined : hashedBytes(entry);
    for (const bank of this.banks) {
      const s = this.scratch.get(bank)!;
      let ext: Buffer;
      if (!bytes) ext = s.ff;
      else if (paddedSha1 && bank !== 'sha1') {
        sha1 ??= knownBank === 'sha1' && knownDigest ? knownDigest : hashBytes('sha1', bytes);
        ext = Buffer.alloc(s.size);
        sha1.copy(ext);
      } else ext = bank === knownBank && knownDigest ? knownDigest : hashBytes(bank, bytes);
      this.extend(bank, entry.pcr, ext);
    }
  }
}

export interface DigestMismatch {
  /** 1-based entry number. */
  readonly record: number;
  readonly logged: string;
  readonly computed: string;
}

export interface ListVerification {
  readonly entries: number;
  /** Non-violation entries whose logged template digest equals H_logBank(template data). */
  readonly templateDigestOk: number;
  readonly violations: number;
  readonly mismatches: DigestMismatch[];
  readonly pcrs: PcrBanks;
}

/**
 * Verifies every entry's logged template digest in `logBank` and replays `pcrBanks`.
 * Entries without a logged digest (ones we created) count as verified.
 */
export function verifyList(
  entries: readonly TemplateEntry[],
  logBank: string,
  pcrBanks: readonly string[],
  opts: { paddedSha1?: boolean } = {}
): ListVerification {
  const pcrs = new PcrBanks(pcrBanks);
  const mismatches: DigestMismatch[] = [];
  let ok = 0;
  let violations = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    let computed: Buffer | undefined;
    if (e.violation) violations++;
    else {
      computed = hashBytes(logBank, hashedBytes(e));
      if (!e.loggedDigest || computed.equals(e.loggedDigest)) ok++;
      else mismatches.push({ record: i + 1, logged: e.loggedDigest.toString('hex'), computed: computed.toString('hex') });
    }
    pcrs.extendEntry(e, opts.paddedSha1, logBank, computed);
  }
  return { entries: entries.length, templateDigestOk: ok, violations, mismatches, pcrs };
}
