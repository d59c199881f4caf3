/** Summary, diff and merge of model files (pure). */
import { EngineError } from '../../common/errors.js';
import type { DigestAlgorithm } from '../measure/digest.js';
import { measurementOf, stateOf } from '../measure/extend.js';
import type { ModelFile } from './model-file.js';

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

/** Union of points (a's order, then b's new points); aggregate and base must agree. */
export function mergeModels(a: ModelFile, b: ModelFile): ModelFile {
  if (a.digest !== b.digest)
    throw new EngineError(
      'TSEM_MODEL_FILE',
      `cannot merge a ${a.digest} model with a ${b.digest} model`
    );
  if (!same(a.aggregate, b.aggregate) && a.aggregate && b.aggregate) {
    throw new EngineError(
      'TSEM_MODEL_FILE',
      `cannot merge models with different aggregates (${a.aggregate.toString('hex').slice(0, 16)}… vs ${b.aggregate.toString('hex').slice(0, 16)}…)`
    );
  }
  if (!same(a.base, b.base) && a.base && b.base)
    throw new EngineError('TSEM_MODEL_FILE', 'cannot merge models with different base values');
  const sa = hexSet(a.states);
  const sp = hexSet(a.pseudonyms);
  return {
    digest: a.digest,
    comments: [],
    base: a.base ?? b.base,
    aggregate: a.aggregate ?? b.aggregate,
    states: [...a.states, ...b.states.filter((s) => !sa.has(s.toString('hex')))],
    pseudonyms: [...a.pseudonyms, ...b.pseudonyms.filter((p) => !sp.has(p.toString('hex')))],
    sealed: a.sealed || b.sealed,
  };
}
