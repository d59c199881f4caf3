/** Reading a report from JSON text: every field is checked for presence and type, by name. */
import { EngineError } from '../../common/errors.js';
import { parseStrictJson } from '../../common/strict-json.js';
import type { QuoteEvidence } from '../tpm/quote-verify.js';
import type { AttestationReport } from './report.js';

const HEX = /^(?:[0-9a-f]{2})*$/;
const KNOWN = new Set([
  'version',
  'namespace',
  'digest',
  'aggregate',
  'base',
  'measurement',
  'state',
  'points',
  'forensics',
  'mode',
  'nonce',
  'agentKey',
  'quote',
  'signature',
]);

function reportError(source: string, message: string): never {
  throw new EngineError('TSEM_PARSE', `${source}: ${message}`);
}

function field<T>(
  obj: Record<string, unknown>,
  key: string,
  kind: 'string' | 'hex' | 'integer',
  source: string
): T {
  const v = obj[key];
  const ok =
    kind === 'integer'
      ? Number.isSafeInteger(v) && (v as number) >= 0
      : typeof v === 'string' && (kind !== 'hex' || HEX.test(v));
  if (!ok)
    reportError(
      source,
      `field '${key}': expected ${kind === 'hex' ? 'lowercase hex' : kind === 'integer' ? 'a whole number' : 'a string'}, got ${JSON.stringify(v)}`
    );
  return v as T;
}

function parseQuote(v: unknown, source: string): QuoteEvidence {
  if (typeof v !== 'object' || v === null) reportError(source, "field 'quote': expected an object");
  const q = v as Record<string, unknown>;
  const where = `${source} quote`;
  const sig = q['signature'];
  if (typeof sig !== 'object' || sig === null)
    reportError(where, "field 'signature': expected an object with r and s");
  const pcrs = q['pcrs'];
  if (typeof pcrs !== 'object' || pcrs === null)
    reportError(where, "field 'pcrs': expected an object of PCR index to hex value");
  for (const [k, val] of Object.entries(pcrs)) {
    if (!/^\d+$/.test(k) || typeof val !== 'string' || !HEX.test(val))
      reportError(where, `field 'pcrs.${k}': expected a PCR index and a hex value`);
  }
  return {
    akPublic: field(q, 'akPublic', 'hex', where),
    attest: field(q, 'attest', 'hex', where),
    signature: {
      r: field(sig as Record<string, unknown>, 'r', 'hex', `${where} signature`),
      s: field(sig as Record<string, unknown>, 's', 'hex', `${where} signature`),
    },
    bank: field(q, 'bank', 'string', where),
    pcrs: pcrs as Record<string, string>,
  };
}

export function parseReport(text: string, source = 'report'): AttestationReport {
  let obj: unknown;
  try {
    // A repeated key would let a reader see one value while the checks use another: refused.
    obj = parseStrictJson(text);
  } catch (err) {
    reportError(source, `not JSON: ${(err as Error).message}`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    reportError(source, 'expected a JSON object');
  const o = obj as Record<string, unknown>;
  // Unsigned extra fields could mislead a reader of the report: refuse them.
  const extra = Object.keys(o).filter((k) => !KNOWN.has(k));
  if (extra.length > 0)
    reportError(source, `unknown field '${extra[0]}' (not covered by the signature)`);
  return {
    version: field(o, 'version', 'integer', source),
    namespace: field(o, 'namespace', 'string', source),
    digest: field(o, 'digest', 'string', source),
    aggregate: field(o, 'aggregate', 'hex', source),
    base: field(o, 'base', 'hex', source),
    measurement: field(o, 'measurement', 'hex', source),
    state: field(o, 'state', 'hex', source),
    points: field(o, 'points', 'integer', source),
    forensics: field(o, 'forensics', 'integer', source),
    mode: field(o, 'mode', 'string', source),
    nonce: field(o, 'nonce', 'hex', source),
    agentKey: field(o, 'agentKey', 'string', source),
    ...(o['quote'] !== undefined ? { quote: parseQuote(o['quote'], source) } : {}),
    signature: field(o, 'signature', 'string', source),
  };
}
