/**
 * Fast path of list verification: a binary list verified straight from its bytes, with the same
 * results as `verifyList(parseBinaryList(buf).entries, …)` but no TemplateEntry objects. Each
 * record's template data is hashed through a view into the buffer (ima.md §1.5), and digests stay
 * latin1 strings through the PCR replay (§1.6).
 */
import { scanRecords, type RecordSpan, type ScanPosition } from './binary-list-scan.js';
import { digestSize } from './hash-algo.js';
import { ListVerifier, type ListVerification } from './pcr-replay.js';

export interface BinaryListVerification extends ListVerification {
  /** Bytes after the last record too short for a record header (see ParsedList). */
  readonly trailingBytes: number;
}

export interface BinaryVerifyOptions {
  /** Replay pre-5.8 kernels: every bank extended with the padded SHA-1 digest (ima.md §1.5). */
  readonly paddedSha1?: boolean;
}

/** IMA_EVENT_NAME_LEN_MAX + 1: template `ima` hashes its name zero-padded to this (§1.5). */
const IMA_NAME_PAD = 256;

/**
 * Verifies a binary list given piece by piece, in order (a file read in chunks): `feed` returns
 * the bytes it consumed, the caller keeps the rest and feeds it again with more data behind it.
 */
export class BinaryListVerifier {
  private readonly size: number;
  private readonly v: ListVerifier;
  private readonly pos: ScanPosition = { base: 0, record: 0 };
  private imaScratch = Buffer.alloc(20 + IMA_NAME_PAD);
  private buf: Buffer = Buffer.alloc(0);
  private readonly visit = (s: RecordSpan): void => this.record(s);

  constructor(logBank: string, pcrBanks: readonly string[], opts: BinaryVerifyOptions = {}) {
    const size = digestSize(logBank);
    if (size === undefined) throw new RangeError(`unknown log bank '${logBank}'`);
    this.size = size;
    this.v = new ListVerifier(logBank, pcrBanks, opts.paddedSha1 ?? false);
  }

  /**
   * Verifies the complete records at the start of `piece`; returns the bytes they take. `last`
   * marks the end of the list: then a malformed record throws MeasurementListError (as
   * parseBinaryList would for the whole list), and unconsumed bytes are trailing bytes.
   */
  feed(piece: Buffer, last: boolean): number {
    this.buf = piece;
    const used = scanRecords(piece, this.size, this.visit, this.pos, last);
    this.pos.base += used;
    return used;
  }

  result(trailingBytes: number): BinaryListVerification {
    return { ...this.v.result(), trailingBytes };
  }

  private record(s: RecordSpan): void {
    const buf = this.buf;
    // A violation logs a zero template digest and extends 0xFF (ima.md §1.6).
    if (isZero(buf, s.digestOffset, this.size))
      return this.v.add(s.pcr, undefined, buf, s.digestOffset, this.size);
    let bytes: Uint8Array;
    if (s.templateName !== 'ima')
      bytes = new Uint8Array(buf.buffer, buf.byteOffset + s.dataOffset, s.dataLength);
    else {
      // Template `ima`: d[20] ‖ name ‖ NUL, zero-padded to 256 (ima_calc_field_array_hash_tfm).
      const total = 20 + Math.max(IMA_NAME_PAD, s.imaNameLength + 1);
      if (this.imaScratch.length < total) this.imaScratch = Buffer.alloc(total);
      const scratch = this.imaScratch.fill(0);
      buf.copy(scratch, 0, s.dataOffset, s.dataOffset + 20);
      buf.copy(scratch, 20, s.imaNameOffset, s.imaNameOffset + s.imaNameLength);
      bytes = scratch.subarray(0, total);
    }
    this.v.add(s.pcr, bytes, buf, s.digestOffset, this.size);
  }
}

/**
 * Verifies a whole binary list whose template digests are in `logBank` and replays `pcrBanks`.
 * Throws MeasurementListError on a malformed record, as parseBinaryList does.
 */
export function verifyBinaryList(
  buf: Buffer,
  logBank: string,
  pcrBanks: readonly string[],
  opts: BinaryVerifyOptions = {}
): BinaryListVerification {
  const v = new BinaryListVerifier(logBank, pcrBanks, opts);
  return v.result(buf.length - v.feed(buf, true));
}

function isZero(b: Buffer, off: number, len: number): boolean {
  for (let i = off; i < off + len; i++) if (b[i] !== 0) return false;
  return true;
}
