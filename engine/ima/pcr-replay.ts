/**
 * Measurement-list verification (ima.md §1.5–1.6): each logged template digest against
 * H_logBank(template data), then the PCR replay per bank with the kernel's violation semantics.
 */
import { latin1Hasher } from './hash-algo.js';
import { PcrBanks } from './pcr-banks.js';
import { hashedBytes, type TemplateEntry } from './template-entry.js';

export { BankChain, PcrBanks } from './pcr-banks.js';

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
 * Verifies entries one at a time, in list order, from whatever holds their bytes: TemplateEntry
 * objects (verifyList) or offsets into a binary list (verifyBinaryList). One code path for both.
 */
export class ListVerifier {
  readonly pcrs: PcrBanks;
  private readonly logHash: (data: Uint8Array) => string;
  private entries = 0;
  private ok = 0;
  private violations = 0;
  private readonly mismatches: DigestMismatch[] = [];

  constructor(
    readonly logBank: string,
    pcrBanks: readonly string[],
    readonly paddedSha1 = false
  ) {
    this.pcrs = new PcrBanks(pcrBanks);
    this.logHash = latin1Hasher(logBank);
  }

  /**
   * One entry: `bytes` are the bytes its template digest covers (undefined for a violation); its
   * logged digest is `logged[off, off + len)`, or `logged` is undefined for an entry we created.
   */
  add(
    pcr: number,
    bytes: Uint8Array | undefined,
    logged: Uint8Array | undefined,
    off: number,
    len: number
  ): void {
    const record = ++this.entries;
    let computed: string | undefined;
    if (!bytes) this.violations++;
    else {
      computed = this.logHash(bytes);
      if (!logged || sameBytes(computed, logged, off, len)) this.ok++;
      else {
        this.mismatches.push({
          record,
          logged: Buffer.from(logged.buffer, logged.byteOffset + off, len).toString('hex'),
          computed: Buffer.from(computed, 'latin1').toString('hex'),
        });
      }
    }
    this.pcrs.extendHashed(pcr, bytes, this.paddedSha1, this.logBank, computed);
  }

  result(): ListVerification {
    return {
      entries: this.entries,
      templateDigestOk: this.ok,
      violations: this.violations,
      mismatches: this.mismatches,
      pcrs: this.pcrs,
    };
  }
}

/** True when latin1 string `s` holds exactly the bytes `b[off, off + len)`; no allocation. */
function sameBytes(s: string, b: Uint8Array, off: number, len: number): boolean {
  if (s.length !== len) return false;
  for (let i = 0; i < len; i++) if (s.charCodeAt(i) !== b[off + i]) return false;
  return true;
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
  const v = new ListVerifier(logBank, pcrBanks, opts.paddedSha1 ?? false);
  for (const e of entries) {
    const logged = e.loggedDigest;
    v.add(e.pcr, e.violation ? undefined : hashedBytes(e), logged, 0, logged?.length ?? 0);
  }
  return v.result();
}
