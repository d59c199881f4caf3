/**
 * A host's namespace model as its own engine shares it with the fleet (docs/fleet.md §7): the
 * valid points and forensics with the mode, sealed state, hash, dialect, base, aggregate and
 * pseudonyms, in the bucket `tsem-host-models` under `HOST.NS`, so `tsem model merge --namespace
 * HOST/NS` can promote what a host learned without the host joining the pool. Task trust is not
 * shared. Pure.
 */
import { EngineError } from '../../common/errors.js';
import type { MergeInput } from '../../engine/contour/merge-sources.js';
import { isDialect } from '../../engine/measure/mapper.js';
import type { NamespaceModel } from '../../engine/ns/namespace-model.js';

export const HOST_MODEL_VERSION = 1;

export interface HostModelRecord {
  readonly v: number;
  readonly host: string;
  readonly namespace: string;
  readonly atMs: number;
  readonly events: number;
  readonly mode: string;
  readonly sealed: boolean;
  readonly digest: string;
  readonly dialect: string;
  readonly base?: string;
  readonly aggregate?: string;
  /** Valid points, coefficient hex, in first-seen order. */
  readonly points: readonly string[];
  readonly forensics: readonly string[];
  readonly pseudonyms: readonly string[];
}

export function hostModelRecord(host: string, ns: NamespaceModel, atMs: number): HostModelRecord {
  const all = ns.exportModel(true);
  const valid = ns.exportModel().states.map((s) => s.toString('hex'));
  const validSet = new Set(valid);
  return {
    v: HOST_MODEL_VERSION,
    host,
    namespace: ns.id,
    atMs,
    events: ns.eventCount,
    mode: ns.mode,
    sealed: all.sealed,
    digest: all.digest,
    dialect: ns.config.dialect,
    ...(all.base ? { base: all.base.toString('hex') } : {}),
    ...(all.aggregate ? { aggregate: all.aggregate.toString('hex') } : {}),
    points: valid,
    forensics: all.states.map((s) => s.toString('hex')).filter((h) => !validSet.has(h)),
    pseudonyms: all.pseudonyms.map((p) => p.toString('hex')),
  };
}

const HEX = /^[0-9a-f]+$/;

/** Throws TSEM_PARSE naming `where` on a record of another shape. */
export function hostModelInput(text: string, where: string): MergeInput {
  const bad = (what: string) => new EngineError('TSEM_PARSE', `${where}: ${what}`);
  let r: HostModelRecord;
  try {
    r = JSON.parse(text) as HostModelRecord;
  } catch {
    throw bad('expected a JSON host model record');
  }
  if (r?.v !== HOST_MODEL_VERSION)
    throw bad(`expected host model record version ${HOST_MODEL_VERSION}, got ${String(r?.v)}`);
  if (!isDialect(r.dialect)) throw bad(`unknown dialect '${String(r.dialect)}'`);
  const hexes = (k: 'points' | 'forensics' | 'pseudonyms') => {
    const v: unknown = r[k];
    if (!Array.isArray(v) || !v.every((h): h is string => typeof h === 'string' && HEX.test(h)))
      throw bad(`expected ${k} to be a list of hex strings`);
    return v.map((h) => Buffer.from(h, 'hex'));
  };
  const opt = (h: unknown) =>
    typeof h === 'string' && HEX.test(h) ? Buffer.from(h, 'hex') : undefined;
  return {
    name: `${r.host}/${r.namespace}`,
    digest: String(r.digest),
    dialect: r.dialect,
    mode: String(r.mode),
    sealed: r.sealed === true,
    base: opt(r.base),
    aggregate: opt(r.aggregate),
    states: hexes('points'),
    forensics: hexes('forensics'),
    pseudonyms: hexes('pseudonyms'),
  };
}
