/**
 * A namespace may add rules but cannot switch off what its host requires (ima.md §9.2). The host's
 * rules are evaluated for every access anyway (hierarchical evaluation, §6), so a namespace's
 * `dont_measure` or `dont_appraise` could never turn a host rule off; a policy asking for it is
 * refused when it is set, naming both rules, rather than accepted and silently overruled.
 *
 * Rules are compared statically, as regions of the access space: a rule matches the accesses for
 * which every condition it carries holds (§3.2). Two rules overlap when some access could match
 * both: every condition both carry has a common value. The overlap is allowed when it lies wholly
 * inside a host `dont_*` rule of the same action that comes before the host rule: the host itself
 * never applies that rule there (first match per class, §3.4). Pure.
 */
import {
  actionClass,
  type IdCondition,
  type IdKey,
  LSM_KEYS,
  POLICY_FUNCS,
  type PolicyRule,
  ruleToText,
} from './policy-rule.js';

export interface Override {
  /** The namespace's rule that would switch the host rule off. */
  readonly rule: PolicyRule;
  /** The host rule it overlaps. */
  readonly host: PolicyRule;
  /** One sentence naming both rules. */
  readonly message: string;
}

const ID_KEYS: readonly IdKey[] = ['uid', 'euid', 'gid', 'egid', 'fowner', 'fgroup'];
/** Buffer funcs match only rules naming them (§3.2). */
const BUFFER_FUNCS = new Set<string>(['KEY_CHECK', 'CRITICAL_DATA']);
const FILE_FUNCS: readonly string[] = POLICY_FUNCS.filter((f) => !BUFFER_FUNCS.has(f));
/** The largest id (uid_t is u32; 0xffffffff is the invalid id the parser refuses). */
const MAX_ID = 0xfffffffe;
/** Access masks are combinations of the four MAY_* bits: 16 values, one bit each in a set. */
const ALL_MASKS = 0xffff;

/**
 * The accesses a rule matches, one set per condition (an absent condition is the whole set):
 * funcs, access masks as a 16-bit set, the single-valued conditions, id ranges, name lists.
 */
interface Region {
  readonly funcs: ReadonlySet<string>;
  readonly masks: number;
  /** fsmagic, fsname, fsuuid and the LSM labels: the one value required, when one is. */
  readonly values: ReadonlyMap<string, string>;
  readonly ids: ReadonlyMap<IdKey, readonly [number, number]>;
  readonly lists: ReadonlyMap<'keyrings' | 'labels', readonly string[]>;
}

function maskSet(m: PolicyRule['mask']): number {
  if (!m) return ALL_MASKS;
  let set = 0;
  for (let access = 0; access < 16; access++)
    if (m.inMask ? (access & m.value) !== 0 : access === m.value) set |= 1 << access;
  return set;
}

function interval(c: IdCondition): readonly [number, number] {
  if (c.op === '=') return [c.value, c.value];
  return c.op === '>' ? [c.value + 1, MAX_ID] : [0, c.value - 1];
}

function regionOf(r: PolicyRule): Region {
  const values = new Map<string, string>();
  if (r.fsmagic !== undefined) values.set('fsmagic', String(r.fsmagic));
  if (r.fsname !== undefined) values.set('fsname', r.fsname);
  if (r.fsuuid !== undefined) values.set('fsuuid', r.fsuuid);
  for (const k of LSM_KEYS) if (r.lsm[k] !== undefined) values.set(k, r.lsm[k]);
  const ids = new Map<IdKey, readonly [number, number]>();
  for (const k of ID_KEYS) if (r.ids[k]) ids.set(k, interval(r.ids[k]));
  const lists = new Map<'keyrings' | 'labels', readonly string[]>();
  if (r.keyrings) lists.set('keyrings', r.keyrings);
  if (r.labels) lists.set('labels', r.labels);
  // A rule without func matches every call but those of the buffer funcs.
  return {
    funcs: new Set(r.func ? [r.func] : FILE_FUNCS),
    masks: maskSet(r.mask),
    values,
    ids,
    lists,
  };
}

/** The accesses both regions hold, or undefined when there is none. */
function meet(a: Region, b: Region): Region | undefined {
  const funcs = new Set([...a.funcs].filter((f) => b.funcs.has(f)));
  const masks = a.masks & b.masks;
  if (funcs.size === 0 || masks === 0) return undefined;
  const values = new Map(a.values);
  for (const [k, v] of b.values) {
    if (values.has(k) && values.get(k) !== v) return undefined;
    values.set(k, v);
  }
  const ids = new Map(a.ids);
  for (const [k, [lo, hi]] of b.ids) {
    const [lo2, hi2] = ids.get(k) ?? [0, MAX_ID];
    const both: [number, number] = [Math.max(lo, lo2), Math.min(hi, hi2)];
    if (both[0] > both[1]) return undefined;
    ids.set(k, both);
  }
  const lists = new Map(a.lists);
  for (const [k, names] of b.lists) {
    const both = lists.has(k) ? names.filter((n) => lists.get(k)!.includes(n)) : names;
    if (both.length === 0) return undefined;
    lists.set(k, both);
  }
  return { funcs, masks, values, ids, lists };
}

/** True when every access of `inner` is in `outer`. */
function within(inner: Region, outer: Region): boolean {
  if ([...inner.funcs].some((f) => !outer.funcs.has(f))) return false;
  if ((inner.masks & ~outer.masks) !== 0) return false;
  for (const [k, v] of outer.values) if (inner.values.get(k) !== v) return false;
  for (const [k, [lo, hi]] of outer.ids) {
    const i = inner.ids.get(k);
    if (!i || i[0] < lo || i[1] > hi) return false;
  }
  for (const [k, names] of outer.lists) {
    const i = inner.lists.get(k);
    if (!i || i.some((n) => !names.includes(n))) return false;
  }
  return true;
}

/** True when some access could match both rules (their conditions are compared one by one). */
export function rulesOverlap(a: PolicyRule, b: PolicyRule): boolean {
  return meet(regionOf(a), regionOf(b)) !== undefined;
}

/** True when every access matching `inner` also matches `outer`. */
export function ruleInside(inner: PolicyRule, outer: PolicyRule): boolean {
  return within(regionOf(inner), regionOf(outer));
}

/**
 * The namespace rules that would switch off a host rule: each `dont_measure` / `dont_appraise`
 * of `ns` with the first positive host rule of the same class it overlaps, where no earlier host
 * `dont_*` rule of that class already covers the namespace rule's whole region.
 */
export function findOverrides(ns: readonly PolicyRule[], host: readonly PolicyRule[]): Override[] {
  const out: Override[] = [];
  for (const rule of ns) {
    if (rule.action !== 'dont_measure' && rule.action !== 'dont_appraise') continue;
    const cls = actionClass(rule.action);
    const region = regionOf(rule);
    for (let i = 0; i < host.length; i++) {
      const h = host[i]!;
      if (h.action !== cls) continue;
      const both = meet(region, regionOf(h));
      // Where the host excludes the shared accesses itself, earlier, its rule never applies there.
      if (
        !both ||
        host.slice(0, i).some((d) => d.action === rule.action && within(both, regionOf(d)))
      )
        continue;
      out.push({
        rule,
        host: h,
        message: `namespace policy line ${rule.line} '${ruleToText(rule)}' would switch off host policy line ${h.line} '${ruleToText(h)}': a namespace may add rules but cannot turn off what the host requires (docs/ima.md §9.2)`,
      });
      break;
    }
  }
  return out;
}
