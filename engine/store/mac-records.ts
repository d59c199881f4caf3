/**
 * The `mac` sublevel's records, which MAC covers a write, and the check of a store's records against
 * their MACs at open (store-mac.ts keeps the accumulators).
 */
import type { MetaRecord } from '../ns/namespace-snapshot.js';
import type { StoreOp } from '../ns/stage.js';
import { storeError } from './store-error.js';
import type { MacItem, StoreMac } from './store-mac.js';
import type { Part, WriteOp } from './store-records.js';

/** The `mac` sublevel: `ns:ID` per namespace, IMA_MAC_KEY for the IMA logs, NAMES_KEY for the list. */
export interface MacRecord {
  mac: string;
}
export const NAMES_KEY = 'names';
export const IMA_MAC_KEY = 'ima';
/** The IMA logs' accumulator id in StoreMac: no namespace name holds a NUL (registry.ts). */
export const IMA_MAC_ID = '\0ima';
export const IMA_SUBLEVEL = 'ima';
export const macRecord = (b: Buffer): MacRecord => ({ mac: b.toString('hex') });
export const macKeyOf = (id: string) => (id === IMA_MAC_ID ? IMA_MAC_KEY : `ns:${id}`);

/**
 * Whose MAC covers a record, and as which part: a namespace's meta record and parts, or the IMA
 * logs; undefined for records no MAC covers (alerts, IMA configuration, the MACs themselves).
 */
export function macTarget(op: StoreOp): { id: string; part: string } | undefined {
  const [first, second] = op.path;
  if (op.path.length === 1 && first === 'meta') return { id: op.key, part: 'meta' };
  if (op.path.length === 1 && first === IMA_SUBLEVEL) return { id: IMA_MAC_ID, part: 'ima' };
  if (op.path.length === 2 && first?.startsWith('ns:') && second !== undefined)
    return { id: first.slice(3), part: second };
  return undefined;
}

/**
 * The MAC records for `ops` (every accumulator they touch, updated in order), and how to apply
 * them once written. Computed here, where writes are serial, so accumulators never race.
 */
export function macOps(
  mac: StoreMac | undefined,
  ops: readonly WriteOp[]
): { ops: StoreOp[]; commit(): void } {
  if (!mac) return { ops: [], commit: () => undefined };
  const byId = new Map<string, MacItem[]>();
  for (const op of ops) {
    const t = macTarget(op);
    if (!t) continue;
    let items = byId.get(t.id);
    if (!items) byId.set(t.id, (items = []));
    items.push({
      part: t.part,
      key: op.key,
      value: op.type === 'put' ? op.value : undefined,
      ...(op.type === 'del' && op.old !== undefined ? { old: op.old } : {}),
    });
  }
  const out: StoreOp[] = [];
  const commits: (() => void)[] = [];
  let names: Buffer | undefined;
  for (const [id, items] of byId) {
    const w = mac.update(id, items, names);
    out.push({ type: 'put', path: ['mac'], key: macKeyOf(id), value: macRecord(w.nsAcc) });
    if (w.namesAcc) names = w.namesAcc;
    commits.push(() => w.commit());
  }
  if (names) out.push({ type: 'put', path: ['mac'], key: NAMES_KEY, value: macRecord(names) });
  return { ops: out, commit: () => commits.forEach((c) => c()) };
}

/** What the check at open reads and writes, from level-store.ts. */
export interface MacCheckContext {
  readonly mac: StoreMac | undefined;
  /** The `mac` sublevel's records. */
  readonly stored: ReadonlyMap<string, MacRecord>;
  readonly dir: string;
  imaRecords(): Promise<[string, unknown][]>;
  write(ops: readonly StoreOp[]): Promise<void>;
  log(m: string): void;
}

export interface MacCheck {
  namespace(id: string, meta: MetaRecord, parts: ReadonlyMap<Part, [string, unknown][]>): void;
  finish(): Promise<void>;
}

/**
 * The MAC check of loadAll(): each namespace's records, then the IMA logs and the namespace
 * list. A mismatch refuses the start, salvage or not: it means records edited outside the engine.
 */
export function checkMacs(c: MacCheckContext): MacCheck {
  const { mac, stored, dir } = c;
  if (!mac) {
    if (stored.size > 0)
      throw storeError(
        `the store in ${dir} is protected by a MAC: start the engine with its store key (--store-key)`
      );
    return { namespace: () => undefined, finish: () => Promise.resolve() };
  }
  const edited = (what: string) =>
    storeError(
      `${what} in ${dir} was changed outside the engine (its records do not match their MAC): restore the data directory from a trusted copy`
    );
  const namesEdited = () =>
    storeError(
      `a namespace in ${dir} was added or deleted outside the engine (the namespace list does not match its MAC): restore the data directory from a trusted copy`
    );
  // Collections (covered-sublevel.ts) keep their own `set:` records beside these.
  const unprotected = ![...stored.keys()].some(
    (k) => k === NAMES_KEY || k === IMA_MAC_KEY || k.startsWith('ns:')
  );
  const adopt: [string, Buffer][] = [];
  const matches = (key: string, acc: Buffer) => {
    const want = stored.get(key);
    return want !== undefined && acc.equals(Buffer.from(want.mac, 'hex'));
  };
  return {
    namespace: (id, meta, parts) => {
      const items: MacItem[] = [{ part: 'meta', key: id, value: meta }];
      for (const [part, records] of parts)
        for (const [key, value] of records) items.push({ part, key, value });
      const acc = mac.load(id, items);
      if (unprotected) adopt.push([`ns:${id}`, acc]);
      else if (!matches(`ns:${id}`, acc)) throw edited(`namespace ${id}`);
    },
    finish: async () => {
      // Stores of format 7 and before kept the IMA logs outside the MAC: they are adopted once,
      // and only while the namespace list says they never had one (so its record cannot be
      // stripped to have edited entries adopted).
      const imaUnprotected = unprotected || !stored.has(IMA_MAC_KEY);
      const namesOk = () => matches(NAMES_KEY, mac.names);
      if (!unprotected && imaUnprotected && !namesOk()) throw namesEdited();
      const ima = await c.imaRecords();
      const imaAcc = mac.load(
        IMA_MAC_ID,
        ima.map(([key, value]) => ({ part: 'ima', key, value }))
      );
      if (imaUnprotected) adopt.push([IMA_MAC_KEY, imaAcc]);
      else {
        if (!matches(IMA_MAC_KEY, imaAcc)) throw edited('the IMA log');
        if (!namesOk()) throw namesEdited();
      }
      if (adopt.length === 0) return;
      // First start with a key (or with format 8): protect what is there, in one batch.
      await c.write([
        ...adopt.map(([key, acc]): StoreOp => ({
          type: 'put',
          path: ['mac'],
          key,
          value: macRecord(acc),
        })),
        { type: 'put', path: ['mac'], key: NAMES_KEY, value: macRecord(mac.names) },
      ]);
      if (unprotected)
        c.log(`store: ${adopt.length - 1} namespace(s) now protected by the store key`);
      else c.log('store: the IMA logs are now protected by the store key');
    },
  };
}
