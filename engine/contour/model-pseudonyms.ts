/**
 * Pseudonyms and the points they change (tsem-model.md §2.8): a declared pseudonym replaces the
 * digest of a file event on that pathname with the zero digest, so its coefficient differs from
 * the one trained without it. Adding a `pseudonym` line to a trained model therefore turns those
 * events off-contour unless the points are mapped again. A point's description holds its event:
 * recomputing the coefficient from it tells, for certain, whether the point was mapped with or
 * without a pseudonym. Pure.
 */
import { descriptionLine, type EventDescription } from '../event/describe.js';
import { parseRecordLine } from '../event/parse-json.js';
import type { DigestAlgorithm } from '../measure/digest.js';
import { type Dialect, Mapper, pseudonym } from '../measure/mapper.js';
import type { ModelFile, PointNote } from './model-file.js';

/** The coefficient of a described event under these pseudonyms, or undefined if it cannot be
 * rebuilt (no task ids, or a CELL the parser rejects). */
export function coefficientOf(
  d: EventDescription,
  alg: DigestAlgorithm,
  dialect: Dialect,
  pseudonyms: ReadonlySet<string>
): string | undefined {
  if (!d.task_id || !d.p_task_id) return undefined;
  try {
    // Bytes, as a kernel line is read: the pathname hashes as its UTF-8 bytes.
    const rec = parseRecordLine(Buffer.from(descriptionLine(d), 'utf8'), {
      digestSize: alg.size,
    });
    if (rec.kind !== 'event') return undefined;
    const e = rec.event;
    const mapper = new Mapper(alg, { dialect, pseudonyms });
    return mapper.coefficientHex(
      d.type,
      Buffer.from(d.p_task_id, 'hex'),
      Buffer.from(d.task_id, 'hex'),
      e.coe,
      e.cell
    );
  } catch {
    return undefined;
  }
}

/** The pathnames of `file` structures in a CELL (what a pseudonym can match). */
export function filePathnames(d: EventDescription): string[] {
  const out: string[] = [];
  const walk = (o: unknown): void => {
    if (typeof o !== 'object' || o === null) return;
    const r = o as Record<string, unknown>;
    const path = (r['path'] as Record<string, unknown> | undefined)?.['pathname'];
    if ('digest' in r && typeof path === 'string') out.push(path);
    for (const v of Object.values(r)) walk(v);
  };
  walk(d.cell);
  return out;
}

const hexOf = (alg: DigestAlgorithm, path: string) =>
  pseudonym(alg, Buffer.from(path, 'utf8')).toString('hex');

export interface PseudonymConflict {
  readonly hex: string;
  readonly pathname: string;
}

/**
 * Described points of a model that were mapped without a pseudonym the same model declares: each
 * such event would be off-contour. Only certain cases are reported (the description rebuilds the
 * point's exact coefficient without the pseudonym).
 */
export function pseudonymConflicts(
  m: ModelFile,
  alg: DigestAlgorithm,
  dialect: Dialect
): PseudonymConflict[] {
  if (m.pseudonyms.length === 0 || !m.notes) return [];
  const declared = new Set(m.pseudonyms.map((p) => p.toString('hex')));
  const out: PseudonymConflict[] = [];
  for (const [hex, note] of m.notes) {
    const d = note.description;
    if (!d) continue;
    const hit = filePathnames(d).find((p) => declared.has(hexOf(alg, p)));
    if (hit === undefined) continue;
    if (coefficientOf(d, alg, dialect, new Set()) === hex) out.push({ hex, pathname: hit });
  }
  return out;
}

export interface PseudonymResult {
  readonly model: ModelFile;
  /** Points mapped again under the new pseudonyms (old → new coefficient). */
  readonly remapped: readonly {
    readonly from: string;
    readonly to: string;
    readonly pathname: string;
  }[];
  /** Described points on a pseudonym's path that could not be mapped again (kept as they are). */
  readonly unverifiable: readonly string[];
  /** Points with no description: nothing tells whether the pseudonyms change them. */
  readonly undescribed: number;
}

/**
 * Declares pseudonyms for `paths` and maps again every described point on those paths, in place
 * (file order kept; two points that become one merge, counts added).
 */
export function addPseudonyms(
  m: ModelFile,
  paths: readonly string[],
  alg: DigestAlgorithm,
  dialect: Dialect
): PseudonymResult {
  const added = paths.map((p) => hexOf(alg, p));
  const declared = new Set([...m.pseudonyms.map((p) => p.toString('hex')), ...added]);
  const addedSet = new Set(added);
  const remapped: { from: string; to: string; pathname: string }[] = [];
  const unverifiable: string[] = [];
  const states: Buffer[] = [];
  const notes = new Map<string, PointNote>();
  const index = new Map<string, number>();
  let undescribed = 0;
  for (const s of m.states) {
    let hex = s.toString('hex');
    const note = m.notes?.get(hex);
    const d = note?.description;
    if (!d) undescribed++;
    const hit = d ? filePathnames(d).find((p) => addedSet.has(hexOf(alg, p))) : undefined;
    if (d && hit !== undefined) {
      const to = coefficientOf(d, alg, dialect, declared);
      if (to === undefined || coefficientOf(d, alg, dialect, new Set()) !== hex)
        unverifiable.push(hex);
      else if (to !== hex) {
        remapped.push({ from: hex, to, pathname: hit });
        hex = to;
      }
    }
    const at = index.get(hex);
    if (at !== undefined) {
      const had = notes.get(hex);
      if (had?.count !== undefined || note?.count !== undefined)
        notes.set(hex, { ...had, count: (had?.count ?? 0) + (note?.count ?? 0) });
      continue;
    }
    index.set(hex, states.length);
    states.push(Buffer.from(hex, 'hex'));
    if (note) notes.set(hex, note);
  }
  const known = new Set(m.pseudonyms.map((p) => p.toString('hex')));
  const pseudonyms = [
    ...m.pseudonyms,
    ...added
      .filter((h, i) => !known.has(h) && added.indexOf(h) === i)
      .map((h) => Buffer.from(h, 'hex')),
  ];
  return { model: { ...m, states, notes, pseudonyms }, remapped, unverifiable, undescribed };
}
