/**
 * Template descriptors and field data formats (ima.md §1.3–1.4, ima_template.c, ima_template_lib.c).
 * Field data is kept as the exact bytes the kernel hashes; these helpers build and render it.
 */
import { digestSize } from './hash-algo.js';

export type FieldFormat =
  'digest' | 'digest-algo' | 'digest-type-algo' | 'string' | 'hex' | 'uint' | 'uuid';

/** Field id → data format (ima_template.c `supported_fields`, plus the ima-ns `ns` UUID field). */
export const FIELD_FORMATS: Readonly<Record<string, FieldFormat>> = {
  d: 'digest',
  'd-ng': 'digest-algo',
  'd-ngv2': 'digest-type-algo',
  'd-modsig': 'digest-algo',
  n: 'string',
  'n-ng': 'string',
  xattrnames: 'string',
  sig: 'hex',
  buf: 'hex',
  modsig: 'hex',
  evmsig: 'hex',
  xattrlengths: 'hex',
  xattrvalues: 'hex',
  iuid: 'uint',
  igid: 'uint',
  imode: 'uint',
  // Bottomley RFC v1 (ima.md §1.4): the raw 16-byte user-namespace UUID, printed with %pU.
  ns: 'uuid',
};

/** Built-in template name → format (ima.md §1.4); `ima-ns` is the never-merged RFC template. */
export const BUILTIN_TEMPLATES: Readonly<Record<string, string>> = {
  ima: 'd|n',
  'ima-ng': 'd-ng|n-ng',
  'ima-sig': 'd-ng|n-ng|sig',
  'ima-ngv2': 'd-ngv2|n-ng',
  'ima-sigv2': 'd-ngv2|n-ng|sig',
  'ima-buf': 'd-ng|n-ng|buf',
  'ima-modsig': 'd-ng|n-ng|sig|d-modsig|modsig',
  'evm-sig': 'd-ng|n-ng|evmsig|xattrnames|xattrlengths|xattrvalues|iuid|igid|imode',
  'ima-ns': 'd-ng|n-ng|ns',
};

/** IMA_TEMPLATE_NUM_FIELDS_MAX and the field id limit (ima.md §1.4). */
const MAX_FIELDS = 15;
const MAX_FIELD_ID = 16;
/** Default sizes of UINT fields when rebuilt from ASCII: u32 uid/gid, u16 mode (ima.md §1.4). */
const UINT_SIZES: Readonly<Record<string, number>> = { iuid: 4, igid: 4, imode: 2 };

/**
 * Field ids of a template given by name or by custom format (`d-ng|sig`), or an error message
 * naming what is wrong.
 */
export function templateFieldIds(nameOrFormat: string): string[] | string {
  const cached = idCache.get(nameOrFormat);
  if (cached) return cached;
  const ids = computeFieldIds(nameOrFormat);
  if (typeof ids !== 'string' && idCache.size < 256) idCache.set(nameOrFormat, ids);
  return ids;
}

/** Parsed templates by name: list parsing looks the same few names up once per record. */
const idCache = new Map<string, string[]>();

function computeFieldIds(nameOrFormat: string): string[] | string {
  const fmt = BUILTIN_TEMPLATES[nameOrFormat] ?? nameOrFormat;
  const ids = fmt.split('|');
  if (ids.length > MAX_FIELDS)
    return `template '${nameOrFormat}' has ${ids.length} fields, at most ${MAX_FIELDS} allowed`;
  for (const id of ids) {
    if (id.length === 0 || id.length > MAX_FIELD_ID || FIELD_FORMATS[id] === undefined) {
      return `template '${nameOrFormat}': unknown field '${id}' (expected a template name or a format such as d-ng|n-ng)`;
    }
  }
  return ids;
}

/** `d-ng` data: `"<algo>:\0" ‖ digest` (ima.md §1.4). */
export function digestNgField(algo: string, digest: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${algo}:\0`, 'latin1'), digest]);
}

/** STRING data with the kernel's ' ' → '_' rewrite and a trailing NUL (ima.md §1.4). */
export function stringField(text: string): Buffer {
  return Buffer.from(`${text.replace(/ /g, '_')}\0`, 'utf8');
}

/** Splits `<prefix>\0<digest>` (d-ng, d-ngv2, d-modsig); undefined when there is no NUL. */
export function splitDigestField(data: Buffer): { prefix: string; digest: Buffer } | undefined {
  const nul = data.indexOf(0);
  if (nul < 0) return undefined;
  return { prefix: data.subarray(0, nul).toString('latin1'), digest: data.subarray(nul + 1) };
}

/** Algorithm and digest of a d-ng/d-ngv2 field (`sha256:`, `ima:sha256:`); undefined if malformed. */
export function digestOfField(data: Buffer): { algo: string; digest: Buffer } | undefined {
  const parts = splitDigestField(data);
  if (!parts || !parts.prefix.endsWith(':')) return undefined;
  const head = parts.prefix.slice(0, -1);
  const algo = head.slice(head.lastIndexOf(':') + 1);
  return { algo, digest: parts.digest };
}

function uuidText(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** ASCII rendering of one field (ima_show_template_data_ascii); empty data renders as ''. */
export function fieldToAscii(id: string, data: Buffer): string {
  if (data.length === 0) return '';
  switch (FIELD_FORMATS[id]) {
    case 'digest-algo':
    case 'digest-type-algo': {
      const parts = splitDigestField(data);
      return parts ? parts.prefix + parts.digest.toString('hex') : data.toString('hex');
    }
    case 'string': {
      const nul = data.indexOf(0);
      return data.subarray(0, nul < 0 ? data.length : nul).toString('utf8');
    }
    case 'uint':
      if (data.length === 1) return String(data[0]);
      if (data.length === 2) return String(data.readUInt16LE(0));
      if (data.length === 4) return String(data.readUInt32LE(0));
      if (data.length === 8) return data.readBigUInt64LE(0).toString();
      return data.toString('hex');
    case 'uuid':
      return data.length === 16 ? uuidText(data) : data.toString('hex');
    default:
      return data.toString('hex');
  }
}

const HEX = /^(?:[0-9a-f]{2})*$/i;

/** Rebuilds a field's bytes from its ASCII rendering; returns an error message when malformed. */
export function fieldFromAscii(id: string, text: string): Buffer | string {
  if (text === '') return Buffer.alloc(0);
  switch (FIELD_FORMATS[id]) {
    case 'digest-algo':
    case 'digest-type-algo': {
      const colon = text.lastIndexOf(':');
      const hex = text.slice(colon + 1);
      const algo = text.slice(text.lastIndexOf(':', colon - 1) + 1, colon);
      if (colon < 0 || !HEX.test(hex))
        return `field '${id}': expected <algo>:<hex digest>, got '${text}'`;
      const size = digestSize(algo);
      // Violations of some kernels pad with 20 zero bytes whatever the algorithm (ima.md §1.4).
      if (size !== undefined && hex.length !== size * 2 && hex.length !== 40) {
        return `field '${id}': ${algo} digest must be ${size} bytes, got ${hex.length / 2}`;
      }
      return Buffer.concat([
        Buffer.from(`${text.slice(0, colon + 1)}\0`, 'latin1'),
        Buffer.from(hex, 'hex'),
      ]);
    }
    case 'string':
      return Buffer.from(`${text}\0`, 'utf8');
    case 'uint': {
      if (!/^\d+$/.test(text)) return `field '${id}': expected a decimal number, got '${text}'`;
      const b = Buffer.alloc(UINT_SIZES[id] ?? 4);
      if (b.length === 2) b.writeUInt16LE(Number(text) & 0xffff);
      else b.writeUInt32LE(Number(text) >>> 0);
      return b;
    }
    case 'uuid': {
      const hex = text.replace(/-/g, '');
      if (!/^[0-9a-f]{32}$/i.test(hex)) return `field '${id}': expected a UUID, got '${text}'`;
      return Buffer.from(hex, 'hex');
    }
    case 'digest':
      if (!/^[0-9a-f]{40}$/i.test(text))
        return `field '${id}': expected a 20-byte hex digest, got '${text}'`;
      return Buffer.from(text, 'hex');
    default:
      if (!HEX.test(text)) return `field '${id}': expected hex, got '${text.slice(0, 40)}'`;
      return Buffer.from(text, 'hex');
  }
}
