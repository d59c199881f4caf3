/**
 * Promotion (docs/fleet.md §5): the models of several namespaces, learned on several hosts, merged
 * into one label's model. Points are unioned in the sources' order (a point first seen in the
 * first source keeps its place), each with the sources that hold it (provenance). What the sources
 * disagree on is reported, never decided silently: a different hash or dialect makes the points
 * incomparable (fatal); a different mode, sealed state, base, aggregate or pseudonym set is
 * reported and resolved as documented below; a point that is forensics in one source and valid in
 * another is reported and kept (it is valid where it was learned). Pure.
 */
import type { Dialect } from '../measure/mapper.js';
import type { ModelFile } from './model-file.js';

export interface MergeInput {
  /** Where the model comes from, for people: `NS` (a pool namespace), `HOST/NS`, `label L`. */
  readonly name: string;
  readonly digest: string;
  readonly dialect: Dialect;
  /** The namespace's mode, when the source is a namespace. */
  readonly mode?: string;
  readonly sealed: boolean;
  readonly base?: Buffer;
  readonly aggregate?: Buffer;
  /** Valid points, in the source's order. */
  readonly states: readonly Buffer[];
  /** Forensic (off-contour) points the source holds, if known. */
  readonly forensics?: readonly Buffer[];
  readonly pseudonyms: readonly Buffer[];
}

export type ConflictKind =
  | 'digest'
  | 'dialect'
  | 'mode'
  | 'sealed'
  | 'base'
  | 'aggregate'
  | 'pseudonyms'
  | 'forensic-elsewhere';

export interface MergeConflict {
  readonly kind: ConflictKind;
  /** The points cannot be merged at all. */
  readonly fatal: boolean;
  readonly detail: string;
}

export interface MergedModel {
  readonly model: Omit<ModelFile, 'comments'>;
  readonly dialect: Dialect;
  /** Source names, in order; `points` refers to them by index. */
  readonly sources: readonly string[];
  /** Per point (coefficient hex): the indexes of the sources holding it as a valid point. */
  readonly provenance: Readonly<Record<string, readonly number[]>>;
  /** Points per source, and points no other source holds. */
  readonly counts: readonly { readonly points: number; readonly only: number }[];
  readonly conflicts: readonly MergeConflict[];
}

const hexOf = (b: Buffer | undefined) => b?.toString('hex') ?? '';

function differing<T>(
  inputs: readonly MergeInput[],
  value: (i: MergeInput) => T,
  show: (v: T) => string
): string | undefined {
  const distinct = new Set(inputs.map((i) => show(value(i))));
  if (distinct.size <= 1) return undefined;
  return inputs.map((i) => `${i.name}: ${show(value(i)) || 'none'}`).join(', ');
}

/** Throws RangeError without inputs (the caller checks the command line). */
export function mergeSources(inputs: readonly MergeInput[]): MergedModel {
  if (inputs.length === 0) throw new RangeError('nothing to merge');
  const conflicts: MergeConflict[] = [];
  const report = (kind: ConflictKind, fatal: boolean, detail: string | undefined) => {
    if (detail !== undefined) conflicts.push({ kind, fatal, detail });
  };
  report(
    'digest',
    true,
    differing(inputs, (i) => i.digest, String)
  );
  report(
    'dialect',
    true,
    differing(inputs, (i) => i.dialect, String)
  );
  const withMode = inputs.filter((i) => i.mode !== undefined);
  report(
    'mode',
    false,
    differing(withMode, (i) => i.mode, String)
  );
  const sealed = inputs.every((i) => i.sealed);
  const s = differing(
    inputs,
    (i) => i.sealed,
    (v) => (v ? 'sealed' : 'not sealed')
  );
  report('sealed', false, s && `${s}; the merged model is not sealed (sealed only when all are)`);
  const b = differing(inputs, (i) => i.base, hexOf);
  report('base', false, b && `${b}; the merged model keeps ${inputs[0]!.name}'s`);
  const a = differing(inputs, (i) => i.aggregate, hexOf);
  report(
    'aggregate',
    false,
    a && `${a}; the merged model has none (each namespace keeps its own host's)`
  );
  const pseudonymSet = (i: MergeInput) =>
    i.pseudonyms
      .map((p) => p.toString('hex'))
      .sort()
      .join(',');
  const p = differing(inputs, pseudonymSet, (v) => (v === '' ? 'none' : `${v.split(',').length}`));
  report('pseudonyms', false, p && `${p} pseudonym(s); the merged model has their union`);

  const provenance = new Map<string, number[]>();
  const states: Buffer[] = [];
  inputs.forEach((inp, idx) => {
    for (const st of inp.states) {
      const h = st.toString('hex');
      const holders = provenance.get(h);
      if (holders) {
        if (!holders.includes(idx)) holders.push(idx);
      } else {
        provenance.set(h, [idx]);
        states.push(st);
      }
    }
  });
  for (const inp of inputs)
    for (const f of inp.forensics ?? []) {
      const holders = provenance.get(f.toString('hex'));
      if (holders)
        conflicts.push({
          kind: 'forensic-elsewhere',
          fatal: false,
          detail: `point ${f.toString('hex')} is forensics in ${inp.name}, valid in ${holders.map((h) => inputs[h]!.name).join(', ')}; kept`,
        });
    }
  const pseudonyms = new Map<string, Buffer>();
  for (const inp of inputs) for (const ps of inp.pseudonyms) pseudonyms.set(ps.toString('hex'), ps);
  const first = inputs[0]!;
  const aggregate = a === undefined ? first.aggregate : undefined;
  const counts = inputs.map((inp, idx) => ({
    points: inp.states.length,
    only: inp.states.filter((st) => {
      const h = provenance.get(st.toString('hex'))!;
      return h.length === 1 && h[0] === idx;
    }).length,
  }));
  return {
    model: {
      digest: first.digest,
      header: {
        digest: first.digest,
        dialect: first.dialect,
        origin: `merged from ${inputs.map((i) => i.name).join(', ')}`,
      },
      ...(first.base ? { base: first.base } : {}),
      ...(aggregate ? { aggregate } : {}),
      states,
      pseudonyms: [...pseudonyms.values()],
      sealed,
    },
    dialect: first.dialect,
    sources: inputs.map((i) => i.name),
    provenance: Object.fromEntries(provenance),
    counts,
    conflicts,
  };
}
