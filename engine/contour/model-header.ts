/**
 * tsem-engine's `# tsem:` lines at the head of a Quixote model file (docs/policy-authoring.md,
 * "Model files"): what the model is (digest, dialect, origin) and each point's count and
 * description. Quixote reads them as comments. Every value after the key is a single token or
 * JSON with every line-breaking character escaped, so no description can ever form a line of its
 * own (a pathname holding "\nstate …" stays inside its comment). Pure.
 */
import { checkDescription, type EventDescription } from '../event/describe.js';
import { DIALECTS, type Dialect } from '../measure/mapper.js';

export const TSEM_PREFIX = '# tsem:';

export interface ModelHeader {
  /** The namespace hash the coefficients were computed with. */
  readonly digest?: string;
  readonly dialect?: Dialect;
  /** Where the model came from, for people (namespace, host, tool, time). */
  readonly origin?: string;
}

/** What a model file says about one point beyond its `state` line. */
export interface PointNote {
  /** Events seen on the point where the model was made. */
  readonly count?: number;
  /** The first event that produced the point. */
  readonly description?: EventDescription;
}

/**
 * JSON with no character that any reader could take for a line end: JSON already escapes C0
 * controls; DEL, C1 (NEL among them) and U+2028/U+2029 are escaped here too.
 */
export function lineSafeJson(v: unknown): string {
  return JSON.stringify(v).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}

/** The `# tsem:` lines for a header and the notes of the given points (in their order). */
export function formatTsemLines(
  header: ModelHeader | undefined,
  notes: ReadonlyMap<string, PointNote> | undefined,
  states: readonly Buffer[]
): string[] {
  const out: string[] = [];
  if (header?.digest) out.push(`${TSEM_PREFIX} digest ${header.digest}`);
  if (header?.dialect) out.push(`${TSEM_PREFIX} dialect ${header.dialect}`);
  if (header?.origin !== undefined)
    out.push(`${TSEM_PREFIX} origin ${lineSafeJson(header.origin)}`);
  if (notes && notes.size > 0) {
    for (const s of states) {
      const hex = s.toString('hex');
      const n = notes.get(hex);
      if (!n || (n.count === undefined && !n.description)) continue;
      const body = { ...(n.count !== undefined ? { count: n.count } : {}), ...n.description };
      out.push(`${TSEM_PREFIX} point ${hex} ${lineSafeJson(body)}`);
    }
  }
  return out;
}

/** One parsed `# tsem:` line, or an error message. */
export type TsemLine =
  | { readonly key: 'digest'; readonly digest: string }
  | { readonly key: 'dialect'; readonly dialect: Dialect }
  | { readonly key: 'origin'; readonly origin: string }
  | { readonly key: 'point'; readonly hex: string; readonly note: PointNote }
  | { readonly key: 'other' };

function splitKey(rest: string): [string, string] {
  const t = rest.trim();
  const sp = t.search(/\s/);
  return sp < 0 ? [t, ''] : [t.slice(0, sp), t.slice(sp).trim()];
}

/** Parses the text after `# tsem:`; throws Error with a message naming what is wrong. */
export function parseTsemLine(rest: string): TsemLine {
  const [key, value] = splitKey(rest);
  switch (key) {
    case 'digest':
      if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(value))
        throw new Error(`'digest' expects a hash name such as sha256, got '${value}'`);
      return { key, digest: value };
    case 'dialect':
      if (!(DIALECTS as readonly string[]).includes(value))
        throw new Error(`'dialect' expects ${DIALECTS.join(' or ')}, got '${value}'`);
      return { key, dialect: value as Dialect };
    case 'origin': {
      const v = parseJson(value, 'origin');
      if (typeof v !== 'string') throw new Error("'origin' expects a JSON string");
      return { key, origin: v };
    }
    case 'point': {
      const [hex, json] = splitKey(value);
      if (!/^[0-9a-f]+$/.test(hex)) throw new Error(`'point' expects a lowercase hex coefficient`);
      const v = parseJson(json, `point ${hex.slice(0, 12)}…`);
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        throw new Error("'point' expects a JSON object after the coefficient");
      const { count, ...rest } = v as Record<string, unknown>;
      if (count !== undefined && (!Number.isSafeInteger(count) || (count as number) < 0))
        throw new Error("'point' count must be a whole number");
      let description: EventDescription | undefined;
      if (Object.keys(rest).length > 0) {
        const d = checkDescription(rest);
        if (typeof d === 'string') throw new Error(`'point' description: ${d}`);
        description = d;
      }
      return { key, hex, note: { count: count as number | undefined, description } };
    }
    default:
      return { key: 'other' }; // a later version's key: a comment to this one
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`'${what}' is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * The header alone, from the leading `# tsem:` lines, to choose the digest before the model is
 * parsed (its hex lengths depend on it). Malformed lines are left to the full parse.
 */
export function readModelHeader(text: string): ModelHeader {
  let digest: string | undefined;
  let dialect: Dialect | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) break;
    if (!line.startsWith(TSEM_PREFIX)) continue;
    try {
      const t = parseTsemLine(line.slice(TSEM_PREFIX.length));
      if (t.key === 'digest') digest = t.digest;
      if (t.key === 'dialect') dialect = t.dialect;
    } catch {
      // reported by parseModelFile
    }
  }
  return { digest, dialect };
}
