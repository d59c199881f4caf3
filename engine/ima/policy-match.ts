/**
 * Policy evaluation (ima.md §3.2, §3.4, ima_policy.c ima_match_rules / ima_match_policy):
 * all conditions of a rule must hold; the first matching rule of each action class decides it.
 */
import {
  actionClass,
  type ActionClass,
  type IdCondition,
  type PolicyFunc,
  type PolicyRule,
} from './policy-rule.js';

export interface Credentials {
  readonly uid: number;
  readonly euid: number;
  readonly suid?: number;
  readonly gid: number;
  readonly egid: number;
  readonly sgid?: number;
  /** CAP_SETUID / CAP_SETGID widen euid=/egid= to uid, euid or suid (§3.2). */
  readonly capSetuid?: boolean;
  readonly capSetgid?: boolean;
  /** Task LSM label parts for subj_* conditions. */
  readonly subj?: Readonly<Partial<Record<'user' | 'role' | 'type', string>>>;
}

/** What an IMA func call passes to the policy (ima.md §3.1 hook-to-func table). */
export interface PolicyContext {
  readonly func: PolicyFunc;
  /** MAY_* bits of the access (MAY_EXEC for exec/mmap, open mask for FILE_CHECK, 0 for buffers). */
  readonly mask: number;
  readonly cred: Credentials;
  readonly fsmagic?: number;
  readonly fsname?: string;
  readonly fsuuid?: string;
  /** Inode owner and group (mapped through the mount's idmap). */
  readonly fowner?: number;
  readonly fgroup?: number;
  /** Inode LSM label parts for obj_* conditions. */
  readonly obj?: Readonly<Partial<Record<'user' | 'role' | 'type', string>>>;
  /** KEY_CHECK keyring name or CRITICAL_DATA label. */
  readonly keyring?: string;
  readonly label?: string;
}

export interface PolicyDecision {
  readonly measure: boolean;
  readonly appraise: boolean;
  readonly audit: boolean;
  readonly hash: boolean;
  /** PCR for the measurement: a matching `pcr=` or CONFIG_IMA_MEASURE_PCR_IDX (10). */
  readonly pcr: number;
  readonly template?: string;
  /** appraise_type=imasig / sigv3 (IMA_DIGSIG_REQUIRED). */
  readonly digsigRequired: boolean;
  readonly modsigAllowed: boolean;
  readonly verityRequired: boolean;
  readonly permitDirectio: boolean;
  readonly appraiseAlgos?: readonly string[];
  /** False when the deciding appraise rule says `cache_result=no` (ima.md §9.3): appraise anew. */
  readonly cacheResult: boolean;
  /** The rule that decided each class, for audit and explanations. */
  readonly decidedBy: Readonly<Partial<Record<ActionClass, PolicyRule>>>;
}

function holds(c: IdCondition | undefined, v: number | undefined): boolean {
  if (!c) return true;
  if (v === undefined) return false;
  return c.op === '=' ? v === c.value : c.op === '>' ? v > c.value : v < c.value;
}

/** ima_match_rules: true when every condition present in `r` holds for `ctx`. */
export function ruleMatches(r: PolicyRule, ctx: PolicyContext): boolean {
  if (ctx.func === 'KEY_CHECK' || ctx.func === 'CRITICAL_DATA') {
    // Buffer funcs match only rules of their own func, plus the keyrings/label list (§3.2).
    if (r.func !== ctx.func) return false;
    const list = ctx.func === 'KEY_CHECK' ? r.keyrings : r.labels;
    const name = ctx.func === 'KEY_CHECK' ? ctx.keyring : ctx.label;
    if (list && (name === undefined || !list.includes(name))) return false;
    return holds(r.ids.uid, ctx.cred.uid) && holds(r.ids.gid, ctx.cred.gid);
  }
  if (r.func && r.func !== ctx.func) return false;
  if (r.mask && (r.mask.inMask ? (r.mask.value & ctx.mask) === 0 : r.mask.value !== ctx.mask))
    return false;
  if (r.fsmagic !== undefined && r.fsmagic !== ctx.fsmagic) return false;
  if (r.fsname !== undefined && r.fsname !== ctx.fsname) return false;
  if (r.fsuuid !== undefined && r.fsuuid !== ctx.fsuuid?.toLowerCase()) return false;
  const c = ctx.cred;
  if (!holds(r.ids.uid, c.uid) || !holds(r.ids.gid, c.gid)) return false;
  if (
    r.ids.euid &&
    !(
      holds(r.ids.euid, c.euid) ||
      (c.capSetuid && (holds(r.ids.euid, c.uid) || holds(r.ids.euid, c.suid)))
    )
  )
    return false;
  if (
    r.ids.egid &&
    !(
      holds(r.ids.egid, c.egid) ||
      (c.capSetgid && (holds(r.ids.egid, c.gid) || holds(r.ids.egid, c.sgid)))
    )
  )
    return false;
  if (!holds(r.ids.fowner, ctx.fowner) || !holds(r.ids.fgroup, ctx.fgroup)) return false;
  for (const [key, want] of Object.entries(r.lsm)) {
    const [side, part] = key.split('_') as ['obj' | 'subj', 'user' | 'role' | 'type'];
    const have = side === 'obj' ? ctx.obj?.[part] : c.subj?.[part];
    if (have !== want) return false;
  }
  return true;
}

/** ima_match_policy over `rules` in order: the first match per action class decides (§3.4). */
export function matchPolicy(rules: readonly PolicyRule[], ctx: PolicyContext): PolicyDecision {
  const decided = new Map<ActionClass, PolicyRule>();
  const done: Partial<Record<ActionClass, boolean>> = {};
  let pcr: number | undefined;
  let template: string | undefined;
  let hash = false;
  let digsig = false,
    modsig = false,
    verity = false,
    directio = false;
  let algos: readonly string[] | undefined;
  let cacheResult = true;
  for (const r of rules) {
    const cls = actionClass(r.action);
    if (decided.has(cls) || !ruleMatches(r, ctx)) continue;
    decided.set(cls, r);
    const doRule = !r.action.startsWith('dont_');
    done[cls] = doRule;
    // Non-action flags are ORed in from every matching rule (IMA_NONACTION_FLAGS).
    if (r.appraiseType) {
      digsig = true;
      modsig ||= r.appraiseType === 'imasig|modsig';
    }
    verity ||= r.digestType === 'verity';
    directio ||= r.permitDirectio;
    if (r.appraiseAlgos) algos = r.appraiseAlgos;
    if (r.cacheResult === false) cacheResult = false;
    if (cls === 'hash') hash = doRule;
    // An appraise match clears a HASH decided so far (§3.4).
    if (cls === 'appraise' && doRule) hash = false;
    if (r.pcr !== undefined) pcr = r.pcr;
    if (r.template) template = r.template;
    if (decided.size === 4) break;
  }
  return {
    measure: done.measure ?? false,
    appraise: done.appraise ?? false,
    audit: done.audit ?? false,
    hash,
    pcr: pcr ?? 10,
    ...(template ? { template } : {}),
    digsigRequired: digsig,
    modsigAllowed: modsig,
    verityRequired: verity,
    permitDirectio: directio,
    ...(algos ? { appraiseAlgos: algos } : {}),
    cacheResult,
    decidedBy: Object.fromEntries(decided),
  };
}
