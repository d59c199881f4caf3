/** Summary, diff, merge, prune and header checks of model files (pure). */
import { EngineError } from '../../common/errors.js';
import type { DigestAlgorithm } from '../measure/digest.js';
import { measurementOf, stateOf } from '../measure/extend.js';
import type { Dialect } from '../measure/mapper.js';
import type { ModelFile, PointNote } from './model-file.js';

export const DEFAULT_DIGEST = 'sha256';
export const DEFAULT_DIALECT: Dialect = 'tsem-6.12';

export interface ModelSummary {
  readonly aggregate: Buffer;
  /** Aggregate extended first, then the states in file order (§2.6). */
  readonly measurement: Buffer;
  /** Aggregate extended first, then the states in bytewise order (§2.6). */
  readonly state: Buffer;
  readonly points: number;
  readonly pseudonyms: number;
  readonly sealed: boolean;
}

export function summarizeModel(m: ModelFile, alg: DigestAlgorithm): ModelSummary {
  const aggregate = m.aggregate ?? alg.nullDigest;
  const base = m.base ?? alg.nullDigest;
  return {
    aggregate,
    measurement: measurementOf(alg, base, aggregate, m.states),
    state: stateOf(alg, base, aggregate, m.states),
    points: m.states.length,
    pseudonyms: m.pseudonyms.length,
    sealed: m.sealed,
  };
}

export interface ModelDiff {
  readonly onlyA: readonly Buffer[];
  readonly onlyB: readonly Buffer[];
  readonly common: number;
  readonly aggregateDiffers: boolean;
  readonly baseDiffers: boolean;
}

const hexSet = (bs: readonly Buffer[]) => new Set(bs.map((b) => b.toString('hex')));
const same = (a?: Buffer, b?: Buffer) =>
  (a === undefined && b === undefined) || (!!a && !!b && a.equals(b));

export function diffModels(a: ModelFile, b: ModelFile): ModelDiff {
  const sa = hexSet(a.states);
  const sb = hexSet(b.states);
  return {
    onlyA: a.states.filter((s) => !sb.has(s.toString('hex'))),
    onlyB: b.states.filter((s) => !sa.has(s.toString('hex'))),
    common: a.states.filter((s) => sb.has(s.toString('hex'))).length,
    aggregateDiffers: !same(a.aggregate, b.aggregate),
    baseDiffers: !same(a.base, b.base),
  };
}

/**
 * Union of points, in the first model's order and then each next model's new points; digest,
 * dialect, aggregate and base must agree. Notes: the first description of a point wins, counts add.
 */
export function mergeModels(...models: readonly ModelFile[]): ModelFile {
  const [first] = models;
  if (!first) throw new RangeError('mergeModels needs at least one model');
  const states: Buffer[] = [];
  const pseudonyms: Buffer[] = [];
  const seenStates = new Set<string>();
  const seenPseudonyms = new Set<string>();
  const notes = new Map<string, PointNote>();
  let base = first.base;
  let aggregate = first.aggregate;
  let dialect = first.header?.dialect;
  for (const m of models) {
    if (m.digest !== first.digest)
      throw new EngineError(
        'TSEM_MODEL_FILE',
        `cannot merge a ${first.digest} model with a ${m.digest} model`
      );
    if (m.header?.dialect && dialect && m.header.dialect !== dialect)
      throw new EngineError(
        'TSEM_MODEL_FILE',
        `cannot merge a ${dialect} model with a ${m.header.dialect} model (their coefficients are not comparable)`
      );
    dialect ??= m.header?.dialect;
    if (m.aggregate && aggregate && !m.aggregate.equals(aggregate)) {
      throw new EngineError(
        'TSEM_MODEL_FILE',
        `cannot merge models with different aggregates (${aggregate.toString('hex').slice(0, 16)}… vs ${m.aggregate.toString('hex').slice(0, 16)}…)`
      );
    }
    if (m.base && base && !m.base.equals(base))
      throw new EngineError('TSEM_MODEL_FILE', 'cannot merge models with different base values');
    aggregate ??= m.aggregate;
    base ??= m.base;
    for (const st of m.states) {
      const h = st.toString('hex');
      if (!seenStates.has(h)) {
        seenStates.add(h);
        states.push(st);
      }
      const n = m.notes?.get(h);
      if (!n) continue;
      const had = notes.get(h);
      notes.set(h, {
        description: had?.description ?? n.description,
        count:
          had?.count === undefined && n.count === undefined
            ? undefined
            : (had?.count ?? 0) + (n.count ?? 0),
      });
    }
    for (const p of m.pseudonyms) {
      const h = p.toString('hex');
      if (!seenPseudonyms.has(h)) {
        seenPseudonyms.add(h);
        pseudonyms.push(p);
      }
    }
  }
  return {
    digest: first.digest,
    comments: [],
    header: { digest: first.digest, dialect, origin: `merge of ${models.length} models` },
    notes,
    base,
    aggregate,
    states,
    pseudonyms,
    sealed: models.some((m) => m.sealed),
  };
}

/** What `model prune` drops: each rule removes the points it matches. */
export interface PruneRules {
  /** Points counted fewer times than this (points without a count are kept). */
  readonly minCount?: number;
  readonly coefficients?: ReadonlySet<string>;
  /** Event types, exact (`file_open`). */
  readonly types?: readonly string[];
  /** Process name matchers (the CLI compiles globs such as `cron*` with engine/server/glob.ts). */
  readonly processes?: readonly { (name: string): boolean; readonly pattern: string }[];
}

export interface PruneResult {
  readonly model: ModelFile;
  readonly dropped: readonly { readonly hex: string; readonly why: string }[];
  /** Points a type, process or count rule could not judge: they carry no description or count. */
  readonly unjudged: number;
  /** Coefficients asked for that the model does not hold. */
  readonly absent: readonly string[];
}

export function pruneModel(m: ModelFile, rules: PruneRules): PruneResult {
  const processRes = rules.processes ?? [];
  const types = new Set(rules.types ?? []);
  const needsNotes = rules.minCount !== undefined || types.size > 0 || processRes.length > 0;
  const dropped: { hex: string; why: string }[] = [];
  let unjudged = 0;
  const keep = m.states.filter((st) => {
    const hex = st.toString('hex');
    const note = m.notes?.get(hex);
    const d = note?.description;
    let why: string | undefined;
    if (rules.coefficients?.has(hex)) why = 'coefficient';
    else if (d && types.has(d.type)) why = `type ${d.type}`;
    else if (d && processRes.some((match) => match(d.process))) why = `process ${d.process}`;
    else if (
      rules.minCount !== undefined &&
      note?.count !== undefined &&
      note.count < rules.minCount
    )
      why = `count ${note.count}`;
    if (why === undefined && needsNotes) {
      const noCount = rules.minCount !== undefined && note?.count === undefined;
      const noDescription = (types.size > 0 || processRes.length > 0) && !d;
      if (noCount || noDescription) unjudged++;
    }
    if (why !== undefined) dropped.push({ hex, why });
    return why === undefined;
  });
  const held = hexSet(m.states);
  const gone = new Set(dropped.map((x) => x.hex));
  const notes = new Map([...(m.notes ?? [])].filter(([h]) => !gone.has(h)));
  return {
    model: { ...m, states: keep, notes },
    dropped,
    unjudged,
    absent: [...(rules.coefficients ?? [])].filter((h) => !held.has(h)),
  };
}

/** The namespace (or replay) a model is loaded into: what its header must agree with. */
export interface ModelTarget {
  /** As the messages name it: `namespace web`, `this replay`. */
  readonly name: string;
  readonly digest: string;
  readonly dialect: Dialect;
}

/**
 * Checks a model's header against where it is loaded: a header naming another digest or dialect
 * is an error naming both; a header-less model loaded under a non-default digest or dialect is
 * allowed with a warning (nothing says what it was computed with). Returns the warnings.
 */
export function checkModelTarget(m: ModelFile, target: ModelTarget): string[] {
  const h = m.header;
  if (h?.digest && h.digest !== target.digest)
    throw new EngineError(
      'TSEM_MODEL_FILE',
      `the model's header names digest ${h.digest} but ${target.name} uses ${target.digest}`
    );
  if (h?.dialect && h.dialect !== target.dialect)
    throw new EngineError(
      'TSEM_MODEL_FILE',
      `the model's header names dialect ${h.dialect} but ${target.name} uses ${target.dialect}`
    );
  const warnings: string[] = [];
  if (!h?.digest && target.digest !== DEFAULT_DIGEST)
    warnings.push(
      `the model has no header naming its digest; ${target.name} uses ${target.digest}: if the model was made with another digest, every event will be off-contour`
    );
  if (!h?.dialect && target.dialect !== DEFAULT_DIALECT)
    warnings.push(
      `the model has no header naming its dialect; ${target.name} uses ${target.dialect}: if the model was made with another dialect, every event will be off-contour`
    );
  return warnings;
}
