/**
 * `binary_runtime_measurements[_<alg>]` parse and write (ima.md §1.2, ima_fs.c
 * ima_measurements_show). Little-endian, as on every host we target (ima_canonical_fmt).
 */
import { scanBinaryList } from './binary-list-scan.js';
import { createTemplateEntry, templateDigest, type TemplateEntry } from './template-entry.js';

export { MeasurementListError } from './binary-list-scan.js';

export interface ParsedList {
  readonly entries: TemplateEntry[];
  /**
   * Bytes after the last complete record that are too short to hold a record header (a newline,
   * a cut-off copy). Kept as a count so callers can warn; a complete header announcing more data
   * than present is a MeasurementListError instead.
   */
  readonly trailingBytes: number;
}

/** Parses a binary list whose template digests have `digestSize` bytes (20 for the legacy file). */
export function parseBinaryList(buf: Buffer, digestSize = 20): ParsedList {
  const entries: TemplateEntry[] = [];
  const trailingBytes = scanBinaryList(buf, digestSize, (s) => {
    const fields: Buffer[] = [];
    const loggedDigest = buf.subarray(s.digestOffset, s.digestOffset + digestSize);
    if (s.templateName === 'ima') {
      // The kernel hashes the name with its NUL (ima.md §1.5); the binary list drops it.
      fields.push(buf.subarray(s.dataOffset, s.dataOffset + 20));
      fields.push(
        Buffer.concat([
          buf.subarray(s.imaNameOffset, s.imaNameOffset + s.imaNameLength),
          Buffer.alloc(1),
        ])
      );
      entries.push(createTemplateEntry(s.pcr, s.templateName, fields, { loggedDigest }));
      return;
    }
    // Field lengths were checked by the scan.
    const templateData = buf.subarray(s.dataOffset, s.dataOffset + s.dataLength);
    for (let f = 0, i = 0; i < s.fieldIds.length; i++) {
      const flen = templateData.readUInt32LE(f);
      fields.push(templateData.subarray(f + 4, f + 4 + flen));
      f += 4 + flen;
    }
    entries.push(
      createTemplateEntry(s.pcr, s.templateName, fields, { loggedDigest, templateData })
    );
  });
  return { entries, trailingBytes };
}

/** Serialises entries as the kernel's binary list for `bank` (template digests of that bank). */
export function writeBinaryList(
  entries: readonly TemplateEntry[],
  bank: string,
  size: number
): Buffer {
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

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
