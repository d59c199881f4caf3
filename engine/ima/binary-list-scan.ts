/**
 * Walks a `binary_runtime_measurements[_<alg>]` list (ima.md §1.2, ima_fs.c
 * ima_measurements_show) by offsets, validating every record, without copying or allocating per
 * record: parsing into TemplateEntry objects and the fast verifier both build on this walk.
 * Little-endian, as on every host we target (ima_canonical_fmt).
 */
import { errorText } from '../../common/escape.js';
import { templateFieldIds } from './template-fields.js';

/** A malformed record: names the 1-based record number and byte offset. */
export class MeasurementListError extends Error {
  override readonly name = 'MeasurementListError';
  constructor(
    readonly record: number,
    detail: string,
    /** Where the record starts: `offset N` in a binary list, `line N` in an ASCII one. */
    readonly where?: string
  ) {
    super(errorText(`record ${record}${where ? ` (${where})` : ''}: ${detail}`));
  }
}

/** Where one record's parts lie in the list buffer. The walk reuses one object for every record. */
export interface RecordSpan {
  /** 1-based record number. */
  record: number;
  /** Offset of the record's first byte. */
  start: number;
  pcr: number;
  /** Offset of the logged template digest (`digestSize` bytes). */
  digestOffset: number;
  templateName: string;
  fieldIds: string[];
  /**
   * Template `ima`: offset of the 20-byte `d` field. Any other template: offset of the template
   * data, Σ (u32le len ‖ data), the bytes its template digest covers.
   */
  dataOffset: number;
  /** Template `ima`: 20. Otherwise the template data length. */
  dataLength: number;
  /** Template `ima` only: the file name, logged without its NUL. */
  imaNameOffset: number;
  imaNameLength: number;
}

/** Largest template data we accept (kernel: TEMPLATE_DATA_LEN_MAX-ish sanity bound). */
const MAX_TEMPLATE_DATA = 64 * 1024 * 1024;
const MAX_NAME = 64 * 16;

/**
 * Calls `visit` for each record of a list whose template digests have `digestSize` bytes (20 in
 * the legacy file). The span is only valid during the call. Throws MeasurementListError on the
 * first malformed record; returns the count of trailing bytes too short for a record header (a
 * newline, a cut-off copy) so callers can warn.
 */
export function scanBinaryList(
  buf: Buffer,
  digestSize: number,
  visit: (span: RecordSpan) => void
): number {
  return buf.length - scanRecords(buf, digestSize, visit, { base: 0, record: 0 }, true);
}

/** Where a piece of a list starts: bytes and records before it (for error messages). */
export interface ScanPosition {
  base: number;
  record: number;
}

/**
 * Scans the records of one piece of a list, `pos` telling what came before; returns the bytes
 * consumed, all complete records. With `final` false the piece may end inside a record: the scan
 * then stops at that record's start without an error, and so it does on anything malformed, to
 * let the caller read up to the end of the list and scan the rest with `final` true. That last
 * scan throws exactly the error a scan of the whole list would (same record, offset and counts).
 */
export function scanRecords(
  buf: Buffer,
  digestSize: number,
  visit: (span: RecordSpan) => void,
  pos: ScanPosition,
  final: boolean
): number {
  const span: RecordSpan = {
    record: 0,
    start: 0,
    pcr: 0,
    digestOffset: 0,
    templateName: '',
    fieldIds: [],
    dataOffset: 0,
    dataLength: 0,
    imaNameOffset: 0,
    imaNameLength: 0,
  };
  const end = buf.length;
  let o = 0;
  while (o < end) {
    const record = pos.record + 1;
    const start = o;
    if (end - o < 4 + digestSize + 4) return start;
    const pcr = buf.readUInt32LE(o);
    const nameLen = buf.readUInt32LE(o + 4 + digestSize);
    o += 8 + digestSize;
    if (nameLen === 0 || nameLen > MAX_NAME || nameLen > end - o) {
      return stop(
        final,
        record,
        pos.base,
        start,
        `template name length ${nameLen} is invalid or exceeds the ${end - o} bytes left`
      );
    }
    // Lists repeat one template name: reuse the last name and ids when the bytes are the same.
    if (!sameLatin1(buf, o, nameLen, span.templateName)) {
      const name = buf.toString('latin1', o, o + nameLen);
      const ids = templateFieldIds(name);
      if (typeof ids === 'string') return stop(final, record, pos.base, start, ids);
      span.templateName = name;
      span.fieldIds = ids;
    }
    o += nameLen;
    if (span.templateName === 'ima') {
      // Template `ima`: d[20] raw, then u32 len ‖ name without its NUL (IMA_SHOW_BINARY_OLD_STRING_FMT).
      if (end - o < 24)
        return stop(final, record, pos.base, start, 'template ima: record ends inside the digest');
      const n = buf.readUInt32LE(o + 20);
      span.dataOffset = o;
      span.dataLength = 20;
      o += 24;
      if (n > end - o)
        return stop(
          final,
          record,
          pos.base,
          start,
          `template ima: name length ${n} exceeds the ${end - o} bytes left`
        );
      span.imaNameOffset = o;
      span.imaNameLength = n;
      o += n;
    } else {
      if (end - o < 4)
        return stop(final, record, pos.base, start, 'record ends before the template data length');
      const len = buf.readUInt32LE(o);
      o += 4;
      if (len > MAX_TEMPLATE_DATA || len > end - o) {
        return stop(
          final,
          record,
          pos.base,
          start,
          `template data length ${len} exceeds the ${end - o} bytes left`
        );
      }
      const bad = fieldsProblem(buf, o, len, span.fieldIds);
      if (bad) return stop(final, record, pos.base, start, bad);
      span.dataOffset = o;
      span.dataLength = len;
      o += len;
    }
    span.record = pos.record = record;
    span.start = start;
    span.pcr = pcr;
    span.digestOffset = start + 4;
    visit(span);
  }
  return o;
}

/** Each field's u32le length fits and the fields fill the template data exactly (ima.md §1.2); else what is wrong. */
function fieldsProblem(
  buf: Buffer,
  data: number,
  len: number,
  ids: readonly string[]
): string | undefined {
  let f = 0;
  for (const id of ids) {
    if (len - f < 4) return `template data ends before field '${id}'`;
    const flen = buf.readUInt32LE(data + f);
    if (flen > len - f - 4)
      return `field '${id}' length ${flen} exceeds the ${len - f - 4} template data bytes left`;
    f += 4 + flen;
  }
  return f === len ? undefined : `${len - f} bytes of template data follow the last field`;
}

/** Any problem ends a partial scan at the record's start; only a final scan reports it. */
function stop(final: boolean, record: number, base: number, start: number, detail: string): number {
  if (!final) return start;
  throw new MeasurementListError(record, detail, `offset ${base + start}`);
}

function sameLatin1(buf: Buffer, off: number, len: number, s: string): boolean {
  if (s.length !== len) return false;
  for (let i = 0; i < len; i++) if (buf[off + i] !== s.charCodeAt(i)) return false;
  return true;
}
