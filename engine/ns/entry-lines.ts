/**
 * Trajectory and forensics entries read whole where the model keeps only the newest lines in
 * memory (bounded tails, NamespaceModel.releaseLines): the other lines come from the store, each
 * checked against the coefficient expected at that index. A record the store does not hold as
 * expected (the model was replaced while it was read) is an error to retry, never a wrong line.
 */
import { EngineError } from '../../common/errors.js';
import type { EventEntry, HeldEntry, NamespaceModel } from './namespace-model.js';
import { type NamespaceSnapshot, snapshotNamespace } from './namespace-snapshot.js';
import type { NamespaceStore } from './registry.js';

export type EntryList = 'trajectory' | 'forensics';
type LineStore = Pick<NamespaceStore, 'entryRecords'> | undefined;

const PART = { trajectory: 't', forensics: 'f' } as const;

/** The stored lines of entries at these indices, each checked against its coefficient (hex). */
async function storedLines(
  id: string,
  which: EntryList,
  wanted: readonly (readonly [index: number, hex: string])[],
  store: LineStore
): Promise<string[]> {
  if (wanted.length === 0) return [];
  if (!store)
    throw new EngineError('TSEM_STORE', `namespace ${id}: ${which} lines not held and no store`);
  const records = await store.entryRecords(
    id,
    PART[which],
    wanted.map(([i]) => i)
  );
  return wanted.map(([i, hex], k) => {
    const r = records[k];
    if (!r || r.c !== hex)
      throw new EngineError(
        'TSEM_UNAVAILABLE',
        `namespace ${id}: its ${which} changed while entry ${i} was read from the store; retry`
      );
    return r.l;
  });
}

/** The entries at these indices of one list, with their lines (from memory or the store). */
export async function entriesWithLines(
  ns: NamespaceModel,
  which: EntryList,
  indices: readonly number[],
  store: LineStore
): Promise<EventEntry[]> {
  const held = which === 'trajectory' ? ns.trajectory() : ns.forensics();
  const entries = indices.map((i): HeldEntry => {
    const e = i >= 0 ? held.at(i) : undefined;
    if (!e) throw new RangeError(`${which} entry ${i} of namespace ${ns.id}: out of range`);
    return e;
  });
  const wanted: [number, string][] = [];
  entries.forEach(
    (e, k) => e.line === undefined && wanted.push([indices[k]!, e.coefficient.toString('hex')])
  );
  const got = await storedLines(ns.id, which, wanted, store);
  const lines = new Map(wanted.map(([i], k) => [i, got[k]!]));
  return entries.map((e, k) => ({
    coefficient: e.coefficient,
    line: e.line ?? lines.get(indices[k]!)!,
  }));
}

/** Indices [from, to) of a list. */
export function indexRange(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

/**
 * The lines of the forensic entries of these coefficients (the events that made tasks
 * untrusted), by coefficient hex; coefficients with no forensic entry are left out.
 */
export async function forensicLines(
  ns: NamespaceModel,
  hexes: ReadonlySet<string>,
  store: LineStore
): Promise<Map<string, string>> {
  const at: number[] = [];
  const list = ns.forensics();
  if (hexes.size > 0) for (let i = 0; i < list.length; i++) if (hexes.has(list.hex(i)!)) at.push(i);
  const entries = await entriesWithLines(ns, 'forensics', at, store);
  return new Map(entries.map((e) => [e.coefficient.toString('hex'), e.line]));
}

/** The coefficients (hex) of the events that made the namespace's tasks untrusted. */
export function untrustedCauses(ns: NamespaceModel): Set<string> {
  const out = new Set<string>();
  for (const [, t] of ns.taskEntries()) if (t.cause?.coefficient) out.add(t.cause.coefficient);
  return out;
}

/**
 * The namespace whole, as it is when `take` runs it (in the namespace's order). The lines memory
 * no longer holds are left empty there and read from the store afterwards: a released line never
 * changes while the model is not replaced, and each is checked against the snapshot's coefficient.
 */
export async function wholeSnapshot(
  take: (snap: (ns: NamespaceModel) => NamespaceSnapshot) => Promise<NamespaceSnapshot>,
  store: LineStore
): Promise<NamespaceSnapshot> {
  const missing = { trajectory: [] as number[], forensics: [] as number[] };
  const snap = await take((ns) =>
    snapshotNamespace(ns, (which, i) => {
      missing[which].push(i);
      return '';
    })
  );
  for (const which of ['trajectory', 'forensics'] as const) {
    const list = snap[which];
    const wanted = missing[which].map((i) => [i, list[i]!.c] as const);
    const lines = await storedLines(snap.meta.config.id, which, wanted, store);
    wanted.forEach(([i], k) => (list[i] = { ...list[i]!, l: lines[k]! }));
  }
  return snap;
}
