/**
 * One measurement-list entry as the exact template-data bytes (ima.md §1.2, §1.5, §8.1).
 * ASCII lines, binary records and every bank's template digest are derived from these bytes.
 */
import { hashBytes, isAllZero } from './hash-algo.js';
import { templateFieldIds } from './template-fields.js';

export interface TemplateEntry {
  readonly pcr: number;
  /** Template name as logged: a built-in name or a custom format such as `d-ng|sig`. */
  readonly templateName: string;
  readonly fieldIds: readonly string[];
  /** Raw field data as the kernel stores it (STRING fields include their NUL). */
  readonly fields: readonly Buffer[];
  /** Σ (u32le len ‖ data) over fields: the bytes hashed for every template except `ima`. */
  readonly templateData: Buffer;
  /** True for a violation (ToMToU, open_writers): template digest zero, extend 0xFF (§1.6). */
  readonly violation: boolean;
  /** The template digest read from a list, in that list's bank; absent for entries we created. */
  readonly loggedDigest?: Buffer;
}

/** IMA_EVENT_NAME_LEN_MAX + 1: template `ima` hashes its name zero-padded to this (§1.5). */
const IMA_NAME_PAD = 256;

/** Σ (u32le len ‖ data): template data of non-`ima` templates (ima.md §1.2 field 6). */
export function encodeTemplateData(fields: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const f of fields) size += 4 + f.length;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (const f of fields) {
    out.writeUInt32LE(f.length, o);
    out.set(f, o + 4);
    o += 4 + f.length;
  }
  return out;
}

/**
 * Builds an entry from field data; throws RangeError when the template is unknown or the field
 * count does not match (a caller bug: parsers validate before calling).
 */
export function createTemplateEntry(
  pcr: number,
  templateName: string,
  fields: readonly Buffer[],
  opts: { violation?: boolean; loggedDigest?: Buffer; templateData?: Buffer } = {}
): TemplateEntry {
  const ids = templateFieldIds(templateName);
  if (typeof ids === 'string') throw new RangeError(ids);
  if (ids.length !== fields.length) {
    throw new RangeError(
      `template '${templateName}' has ${ids.length} fields, got ${fields.length}`
    );
  }
  const violation =
    opts.violation ?? (opts.loggedDigest !== undefined && isAllZero(opts.loggedDigest));
  return {
    pcr,
    templateName,
    fieldIds: ids,
    fields,
    templateData: opts.templateData ?? encodeTemplateData(fields),
    violation,
    ...(opts.loggedDigest ? { loggedDigest: opts.loggedDigest } : {}),
  };
}

/** The bytes a bank hashes for this entry (ima.md §1.5). */
export function hashedBytes(entry: TemplateEntry): Buffer {
  if (entry.templateName !== 'ima') return entry.templateData;
  // Template `ima`: d[20] ‖ name zero-padded to 256, no lengths (ima_calc_field_array_hash_tfm).
  const d = entry.fields[0]!;
  const n = entry.fields[1]!;
  const out = Buffer.alloc(d.length + Math.max(IMA_NAME_PAD, n.length));
  out.set(d, 0);
  out.set(n, d.length);
  return out;
}

/** Template digest in `bank` (ima.md §1.5): H_bank(template data); zeros for a violation. */
export function templateDigest(entry: TemplateEntry, bank: string, size: number): Buffer {
  if (entry.violation) return Buffer.alloc(size);
  return hashBytes(bank, hashedBytes(entry));
}

/** The value extended into `bank` (ima.md §1.6): 0xFF… for violations, else the bank digest. */
export function extendValue(
  entry: TemplateEntry,
  bank: string,
  size: number,
  paddedSha1 = false
): Buffer {
  if (entry.violation) return Buffer.alloc(size, 0xff);
  if (!paddedSha1 || bank === 'sha1') return hashBytes(bank, hashedBytes(entry));
  // Pre-5.8 kernels extended every bank with the SHA-1 digest zero-padded (ima.md §1.5 history).
  const out = Buffer.alloc(size);
  hashBytes('sha1', hashedBytes(entry)).copy(out);
  return out;
}
