/**
 * Running PCR values per bank with the kernel's extend (ima.md §1.6):
 * PCR_X[i] = H_X(PCR_X[i] ‖ ext_X), ext_X = 0xFF×|H_X| for a violation, else H_X(template data).
 * Values are kept as latin1 strings, Node's cheapest digest output; Buffers only at the API edge.
 */
import { digestSize, latin1Hasher } from './hash-algo.js';
import { hashedBytes, type TemplateEntry } from './template-entry.js';

/** One bank's PCRs: a reusable `PCR ‖ ext` buffer makes an extend two writes and one hash. */
export class BankChain {
  readonly size: number;
  readonly hash: (data: Uint8Array) => string;
  /** 0xFF×size: what a violation extends (ima.md §1.6). */
  readonly ff: string;
  /** 0x00×size: a PCR never extended. */
  readonly zero: string;
  /** PCR index → value; only touched PCRs are present. */
  readonly values = new Map<number, string>();
  private readonly scratch: Buffer;

  constructor(readonly bank: string) {
    const size = digestSize(bank);
    if (size === undefined) throw new RangeError(`unknown PCR bank '${bank}'`);
    this.size = size;
    this.hash = latin1Hasher(bank);
    this.ff = '\xff'.repeat(size);
    this.zero = '\0'.repeat(size);
    this.scratch = Buffer.alloc(2 * size);
  }

  /** PCR[pcr] = H(PCR[pcr] ‖ ext), `ext` a latin1 string of `size` chars. */
  extend(pcr: number, ext: string): void {
    this.scratch.write(this.values.get(pcr) ?? this.zero, 0, this.size, 'latin1');
    this.scratch.write(ext, this.size, this.size, 'latin1');
    this.values.set(pcr, this.hash(this.scratch));
  }

  /** The same with `ext` as bytes (exactly `size` of them). */
  extendBytes(pcr: number, ext: Uint8Array): void {
    this.scratch.write(this.values.get(pcr) ?? this.zero, 0, this.size, 'latin1');
    this.scratch.set(ext, this.size);
    this.values.set(pcr, this.hash(this.scratch));
  }
}

let sha1: ((data: Uint8Array) => string) | undefined;

/** Running PCR values per bank and index, all starting at zero. */
export class PcrBanks {
  /** One chain per bank, in the constructor's order. */
  readonly chains: readonly BankChain[];
  private readonly byName = new Map<string, BankChain>();

  constructor(readonly banks: readonly string[]) {
    this.chains = banks.map((b) => new BankChain(b));
    for (const c of this.chains) this.byName.set(c.bank, c);
  }

  private chain(bank: string): BankChain {
    const c = this.byName.get(bank);
    if (!c) throw new RangeError(`bank '${bank}' is not replayed`);
    return c;
  }

  /** PCR value (zeros if never extended). */
  get(bank: string, pcr: number): Buffer {
    const c = this.chain(bank);
    return Buffer.from(c.values.get(pcr) ?? c.zero, 'latin1');
  }

  /** Indexes extended at least once in `bank`, ascending. */
  indexes(bank: string): number[] {
    return [...(this.byName.get(bank)?.values.keys() ?? [])].sort((a, b) => a - b);
  }

  /** PCR[pcr] = H_bank(PCR[pcr] ‖ value) (ima.md §1.6). */
  extend(bank: string, pcr: number, value: Uint8Array): void {
    this.chain(bank).extendBytes(pcr, value);
  }

  /**
   * Extends every bank for one entry whose hashed bytes are `bytes` (undefined for a violation).
   * `paddedSha1` replays pre-5.8 kernels, every bank extended with the SHA-1 digest zero-padded
   * (ima.md §1.5 history). `known` is the latin1 digest already computed in `knownBank`.
   */
  extendHashed(
    pcr: number,
    bytes: Uint8Array | undefined,
    paddedSha1: boolean,
    knownBank?: string,
    known?: string
  ): void {
    let s1: string | undefined;
    for (const c of this.chains) {
      let ext: string;
      if (!bytes) ext = c.ff;
      else if (paddedSha1 && c.bank !== 'sha1') {
        s1 ??=
          knownBank === 'sha1' && known !== undefined
            ? known
            : (sha1 ??= latin1Hasher('sha1'))(bytes);
        ext = (s1 + c.zero).slice(0, c.size);
      } else ext = c.bank === knownBank && known !== undefined ? known : c.hash(bytes);
      c.extend(pcr, ext);
    }
  }

  /**
   * Extends every bank with `entry`; `paddedSha1` replays pre-5.8 kernels (§1.5 history).
   * `knownDigest` supplies the digest already computed in `knownBank` (during verification).
   */
  extendEntry(
    entry: TemplateEntry,
    paddedSha1 = false,
    knownBank?: string,
    knownDigest?: Buffer
  ): void {
    const known = knownDigest?.toString('latin1');
    this.extendHashed(
      entry.pcr,
      entry.violation ? undefined : hashedBytes(entry),
      paddedSha1,
      knownBank,
      known
    );
  }
}
