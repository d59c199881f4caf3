/**
 * Quixote model files (tsem-model.md §4.2): `# comment`, `key`, `base`, `aggregate`, `state`,
 * `pseudonym`, `seal`, `end`, `signature` lines, led by tsem-engine's optional `# tsem:` lines
 * (model-header.ts). Parsing names the line that is wrong.
 */
import { EngineError } from '../../common/errors.js';
import type { DigestAlgorithm } from '../measure/digest.js';
import {
  formatTsemLines,
  type ModelHeader,
  parseTsemLine,
  type PointNote,
  TSEM_PREFIX,
} from './model-header.js';

export type { ModelHeader, PointNote } from './model-header.js';

export interface ModelFile {
  readonly digest: string;
  /** Plain `#` comments (not the `# tsem:` lines). */
  readonly comments: readonly string[];
  /** From the `# tsem:` lines; undefined for a header-less (pure Quixote) model. */
  readonly header?: ModelHeader;
  /** Counts and descriptions of points, by coefficient hex (from `# tsem: point` lines). */
  readonly notes?: ReadonlyMap<string, PointNote>;
  /** Base64 RSA public key of a signed model (first line), kept for signature coverage. */
  readonly key?: string;
  readonly base?: Buffer;
  readonly aggregate?: Buffer;
  /** Points in file order. */
  readonly states: readonly Buffer[];
  readonly pseudonyms: readonly Buffer[];
  readonly sealed: boolean;
  readonly signature?: string;
}

function modelError(source: string, line: number, message: string): never {
  throw new EngineError('TSEM_MODEL_FILE', `${source} line ${line}: ${message}`);
}

export function parseModelFile(text: string, alg: DigestAlgorithm, source = 'model'): ModelFile {
  const comments: string[] = [];
  const states: Buffer[] = [];
  const pseudonyms: Buffer[] = [];
  const seen = new Set<string>();
  let key: string | undefined;
  let base: Buffer | undefined;
  let aggregate: Buffer | undefined;
  let signature: string | undefined;
  let sealed = false;
  let ended = false;
  let leading = true;
  let header: { digest?: string; dialect?: ModelHeader['dialect']; origin?: string } | undefined;
  const notes = new Map<string, PointNote>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.replace(/\r$/, '').trim();
    if (line === '') return;
    if (line.startsWith(TSEM_PREFIX)) {
      if (!leading)
        modelError(source, n, "'# tsem:' lines must come before the model's first line");
      let t;
      try {
        t = parseTsemLine(line.slice(TSEM_PREFIX.length));
      } catch (err) {
        modelError(source, n, `# tsem: ${(err as Error).message}`);
      }
      if (t.key === 'point') {
        if (t.hex.length !== alg.size * 2)
          modelError(
            source,
            n,
            `'# tsem: point' coefficient has ${t.hex.length} hex characters, expected ${alg.size * 2} for ${alg.name}`
          );
        if (notes.has(t.hex)) modelError(source, n, `second '# tsem: point' line for ${t.hex}`);
        notes.set(t.hex, t.note);
      } else if (t.key !== 'other') {
        header ??= {};
        if (t.key === 'digest') {
          if (t.digest !== alg.name)
            modelError(
              source,
              n,
              `the model's header names digest ${t.digest}, but it is read as ${alg.name}`
            );
          header.digest = t.digest;
        } else if (t.key === 'dialect') header.dialect = t.dialect;
        else header.origin = t.origin;
      }
      return;
    }
    if (line.startsWith('#')) {
      comments.push(line.slice(1).trim());
      return;
    }
    leading = false;
    const [word, value, extra] = line.split(/\s+/);
    if (ended && word !== 'signature')
      modelError(source, n, `'${word}' after 'end' (only 'signature' may follow)`);
    const hex = (what: string): Buffer => {
      if (value === undefined) modelError(source, n, `'${what}' expects a hex value`);
      if (extra !== undefined)
        modelError(source, n, `'${what}' takes one value, got extra '${extra}'`);
      if (!/^[0-9a-fA-F]+$/.test(value))
        modelError(source, n, `'${what}' value is not hex: '${value}'`);
      if (value.length !== alg.size * 2) {
        modelError(
          source,
          n,
          `'${what}' value has ${value.length} hex characters, expected ${alg.size * 2} for ${alg.name}`
        );
      }
      return Buffer.from(value, 'hex');
    };
    switch (word) {
      case 'key':
        if (n !== 1 && comments.length !== n - 1)
          modelError(source, n, "'key' must be the first line");
        key = value;
        break;
      case 'base':
        base = hex('base');
        break;
      case 'aggregate':
        if (aggregate) modelError(source, n, "second 'aggregate' line");
        aggregate = hex('aggregate');
        break;
      case 'state': {
        const s = hex('state');
        const h = s.toString('hex');
        if (!seen.has(h)) {
          seen.add(h);
          states.push(s);
        }
        break;
      }
      case 'pseudonym':
        pseudonyms.push(hex('pseudonym'));
        break;
      case 'seal':
        if (value !== undefined) modelError(source, n, "'seal' takes no value");
        sealed = true;
        break;
      case 'end':
        if (value !== undefined) modelError(source, n, "'end' takes no value");
        ended = true;
        break;
      case 'signature':
        if (!ended) modelError(source, n, "'signature' must follow 'end'");
        signature = value;
        break;
      default:
        modelError(
          source,
          n,
          `unknown keyword '${word}' (expected key, base, aggregate, state, pseudonym, seal, end, signature or # comment)`
        );
    }
  });
  if (!ended) modelError(source, lines.length, "missing 'end' line (truncated model file?)");
  // A note for a coefficient the file holds no state line for describes nothing: it is dropped
  // (a hand-edited or tampered state line leaves its note behind; the states are the model).
  for (const hex of [...notes.keys()]) if (!seen.has(hex)) notes.delete(hex);
  return {
    digest: alg.name,
    comments,
    header,
    notes,
    key,
    base,
    aggregate,
    states,
    pseudonyms,
    sealed,
    signature,
  };
}

/**
 * Writes a model in Quixote's line format (§4.2), its `# tsem:` lines first unless `pure` (pure
 * Quixote format); lines end with `\n`.
 */
export function formatModelFile(
  m: Omit<ModelFile, 'digest' | 'comments'> & { comments?: readonly string[] },
  opts: { readonly pure?: boolean } = {}
): string {
  const out: string[] = opts.pure ? [] : formatTsemLines(m.header, m.notes, m.states);
  for (const c of m.comments ?? []) out.push(`# ${c.replace(/[\r\n\u0085\u2028\u2029]/g, ' ')}`);
  if (m.key) out.push(`key ${m.key}`);
  if (m.base) out.push(`base ${m.base.toString('hex')}`);
  if (m.aggregate) out.push(`aggregate ${m.aggregate.toString('hex')}`);
  for (const s of m.states) out.push(`state ${s.toString('hex')}`);
  for (const p of m.pseudonyms) out.push(`pseudonym ${p.toString('hex')}`);
  if (m.sealed) out.push('seal');
  out.push('end');
  if (m.signature) out.push(`signature ${m.signature}`);
  return out.join('\n') + '\n';
}
