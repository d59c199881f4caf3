/**
 * The canonical byte encoding signatures cover: a domain tag line, then JSON with object keys
 * sorted (by UTF-16 code unit, as Array.sort does), no whitespace, integers only. The tag keeps a
 * signature made for one purpose (report, model, control message) from verifying for another.
 */

export type CanonicalValue =
  | string
  | number
  | boolean
  | null
  | readonly CanonicalValue[]
  | { readonly [k: string]: CanonicalValue | undefined };

/** Canonical JSON text; `undefined` members are left out, as JSON.stringify does. */
export function canonicalJson(value: CanonicalValue): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new RangeError(`canonical JSON takes safe integers only, got ${value}`);
    return String(value);
  }
  if (Array.isArray(value))
    return `[${value.map((v: CanonicalValue) => canonicalJson(v)).join(',')}]`;
  const obj = value as { readonly [k: string]: CanonicalValue | undefined };
  const members = Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k]!)}`);
  return `{${members.join(',')}}`;
}

/** `tag` newline canonical-JSON, as UTF-8: the bytes that are signed. */
export function signingBytes(tag: string, value: CanonicalValue): Buffer {
  return Buffer.from(`${tag}\n${canonicalJson(value)}`, 'utf8');
}

export const REPORT_TAG = 'tsem-attestation-report-v1';
export const QUOTE_BINDING_TAG = 'tsem-attestation-quote-binding-v1';
export const MODEL_TAG = 'tsem-model-signature-v1';
export const CONTROL_TAG = 'tsem-tee-control-v1';
