/**
 * `binary_runtime_measurements[_<alg>]` parse and write (ima.md §1.2, ima_fs.c
 * ima_measurements_show). Little-endian, as on every host we target (ima_canonical_fmt).
 */
import { createTemplateEntry, templateDigest, type TemplateEntry } from './template-entry.js';
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
    super(`record ${record}${where ? ` (${where})` : ''}: ${detail}`);
  }
}

export interface ParsedList {
  readonly entries: TemplateEntry[];
  /**
   * Bytes after the last complete record that are too short to hold a record header (a newline,
   * a cut-off copy). Kept as a count so callers can warn; a complete header announcing more data
   * than present is a MeasurementListError instead.
   */
  readonly trailingBytes: number;
}

/** Largest template data we accept (kernel: TEMPLATE_DATA_LEN_MAX-ish sanity bound). */
const MAX_TEMPLATE_DATA = 64 * 1024 * 1024;
const MAX_NAME = 64 * 16;

/** Parses a binary list whose template digests have `digestSize` bytes (20 for the legacy file). */
export function parseBinaryList(buf: Buffer, digestSize = 20): ParsedList {
  const entries: TemplateEntry[] = [];
  let o = 0;
  while (o < buf.length) {
    const record = entries.length + 1;
    const start = o;
    if (buf.length - o < 4 + digestSize + 4) return { entries, trailingBytes: buf.length - o };
    const pcr = buf.readUInt32LE(o);
    const digest = buf.subarray(o + 4, o + 4 + digestSize);
    const nameLen = buf.readUInt32LE(o + 4 + digestSize);
    o += 8 + digestSize;
    if (nameLen === 0 || nameLen > MAX_NAME || nameLen > buf.length - o) {
      throw err(record, start, `template name length ${nameLen} is invalid or exceeds the ${buf.length - o} bytes left`);
    }
    const name = buf.subarray(o, o + nameLen).toString('latin1');
    o += nameLen;
    const ids = templateFieldIds(name);
    if (typeof ids === 'string') throw err(record, start, ids);
    const fields: Buffer[] = [];
    let templateData: Buffer | undefined;
    if (name === 'ima') {
      // Template `ima`: d[20] raw, then u32 len ‖ name without its NUL (IMA_SHOW_BINARY_OLD_STRING_FMT).
      if (buf.length - o < 24) throw err(record, start, 'template ima: record ends inside the digest');
      fields.push(buf.subarray(o, o + 20));
      const n = buf.readUInt32LE(o + 20);
      o += 24;
      if (n > buf.length - o) throw err(record, start, `template ima: name length ${n} exceeds the ${buf.length - o} bytes left`);
      fields.push(Buffer.concat([buf.subarray(o, o + n), Buffer.alloc(1)]));
      o += n;
    } else {
      if (buf.length - o < 4) throw err(record, start, 'record ends before the template data length');
      const len = buf.readUInt32LE(o);
      o += 4;
      if (len > MAX_TEMPLATE_DATA || len > buf.length - o) {
        throw err(record, start, `template data length ${len} exceeds the ${buf.length - o} bytes left`);
      }
      templateData = buf.subarray(o, o + len);
      let f = 0;
      for (const id of ids) {
        if (len - f < 4) throw err(record, start, `template data ends before field '${id}'`);
        const flen = templateData.readUInt32LE(f);
        if (flen > len - f - 4) {
          throw err(record, start, `field '${id}' length ${flen} exceeds the ${len - f - 4} template data bytes left`);
        }
        fields.push(templateData.subarray(f + 4, f + 4 + flen));
        f += 4 + flen;
      }
      if (f !== len) throw err(record, start, `${len - f} bytes of template data follow the last field`);
      o += len;
    }
    entries.push(createTemplateEntry(pcr, name, fields, { loggedDigest: digest, ...(templateData ? { templateData } : {}) }));
  }
  return { entries, trailingBytes: 0 };
}

/** Serialises entries as the kernel's binary list for `bank` (template digests of that bank). */
export function writeBinaryList(entries: readonly TemplateEntry[], bank: string, size: number): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const name = Buffer.from(e.templateName, 'latin1');
    const head = Buffer.alloc(4);
    head.writeUInt32LE(e.pcr);
    parts.push(head, templateDigest(e, bank, size), u32(name.length), name);
    if (e.templateName === 'ima') {
      const n = e.fields[1]!;
      const bare = n.length > 0 && n[n.length - 1] === 0 ? n.subarray(0, n.length - 1) : n;
      parts.push(e.fields[0]!, u32(bare.length), bare);
    } else {
      parts.push(u32(e.templateData.length), e.templateData);
    }
  }
  return Buffer.concat(parts);
}

function err(record: number, start: number, detail: string): MeasurementListError {
  return new MeasurementListError(record, detail, `offset ${start}`);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

