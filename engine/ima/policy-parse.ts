/**
 * IMA policy parser (ima.md §3.1, ima_policy.c ima_parse_rule): one rule per line, '#' comments,
 * a bad line rejects the whole policy with an error naming the line and the keyword.
 */
import { hashAlgoId } from './hash-algo.js';
import type { Mutable } from '../../common/mutable.js';
import {
  FUNC_ALIASES,
  LSM_KEYS,
  MAY,
  POLICY_ACTIONS,
  POLICY_FUNCS,
  type IdCondition,
  type IdKey,
  type LsmKey,
  type PolicyAction,
  type PolicyFunc,
  type PolicyRule,
} from './policy-rule.js';
import { validateRule } from './policy-validate.js';
import { BUILTIN_TEMPLATES } from './template-fields.js';
import { errorText } from '../../common/escape.js';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly line: number,
    readonly keyword: string,
    reason: string
  ) {
    super(errorText(`policy line ${line}: '${keyword}': ${reason}`));
  }
}

/** `pcr=` upper bound: BITS_PER_LONG - 1 on 64-bit kernels (ima.md §3.1). */
const MAX_PCR = 63;
const ID_KEYS: readonly IdKey[] = ['uid', 'euid', 'gid', 'egid', 'fowner', 'fgroup'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Draft = Mutable<Omit<PolicyRule, 'action' | 'ids' | 'lsm'>> & {
  action?: PolicyAction;
  ids: Partial<Record<IdKey, IdCondition>>;
  lsm: Partial<Record<LsmKey, string>>;
};

export interface ParseOptions {
  /**
   * Accept the engine's extensions to the kernel's syntax (ima.md §9.3: `cache_result=no`).
   * Default false: the kernel-compatible language, which refuses them by name.
   */
  readonly extensions?: boolean;
}

/** Parses a whole policy; throws PolicyError at the first bad line (the kernel discards all). */
export function parsePolicy(text: string, opts: ParseOptions = {}): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const rule = parseRuleLine(lines[i]!, i + 1, opts);
    if (rule) rules.push(rule);
  }
  return rules;
}

/** Parses one line; undefined for blank and comment lines. */
export function parseRuleLine(
  raw: string,
  line: number,
  opts: ParseOptions = {}
): PolicyRule | undefined {
  const text = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
  if (text === '' || text.startsWith('#')) return undefined;
  const draft: Draft = { line, ids: {}, lsm: {}, permitDirectio: false };
  let sawAppraiseType = false;
  let sawCacheResult = false;
  for (const token of text.split(/[ \t]+/)) {
    if (token === '') continue;
    if (token.startsWith('#')) break;
    const fail = (reason: string): never => {
      throw new PolicyError(line, token, reason);
    };
    if ((POLICY_ACTIONS as readonly string[]).includes(token)) {
      if (draft.action) fail(`second action in one rule (already '${draft.action}')`);
      draft.action = token as PolicyAction;
      continue;
    }
    if (token === 'permit_directio') {
      draft.permitDirectio = true;
      continue;
    }
    const m = /^([a-z_]+)([=<>])(.*)$/.exec(token);
    if (!m) fail('unknown keyword');
    const [, key, op, value] = m as unknown as [string, string, string, string];
    const idKey = ID_KEYS.find((k) => k === key);
    if (op !== '=' && !idKey) fail('unknown keyword');
    const once = <K extends keyof Draft>(k: K, v: Draft[K]): void => {
      if (draft[k] !== undefined) fail(`'${key}' given twice`);
      draft[k] = v;
    };
    if (idKey) {
      // uid/euid share one slot, as do gid/egid (entry->uid, entry->gid in ima_policy.c).
      const slot: readonly IdKey[] =
        idKey === 'uid' || idKey === 'euid'
          ? ['uid', 'euid']
          : idKey === 'gid' || idKey === 'egid'
            ? ['gid', 'egid']
            : [idKey];
      if (slot.some((k) => draft.ids[k]))
        fail(`'${key}' given twice (uid/euid and gid/egid are one condition each)`);
      if (!/^\d+$/.test(value) || Number(value) > 0xfffffffe) fail('expected a decimal id');
      draft.ids[idKey] = { op: op as IdCondition['op'], value: Number(value) };
      continue;
    }
    if ((LSM_KEYS as readonly string[]).includes(key)) {
      if (draft.lsm[key as LsmKey] !== undefined) fail(`'${key}' given twice`);
      if (value === '') fail('expected an LSM label');
      draft.lsm[key as LsmKey] = value;
      continue;
    }
    switch (key) {
      case 'func': {
        const f =
          FUNC_ALIASES[value] ??
          ((POLICY_FUNCS as readonly string[]).includes(value) ? (value as PolicyFunc) : undefined);
        once('func', f ?? fail(`unknown func (expected one of ${POLICY_FUNCS.join(', ')})`));
        break;
      }
      case 'mask': {
        const inMask = value.startsWith('^');
        const v =
          MAY[inMask ? value.slice(1) : value] ??
          fail('expected MAY_EXEC, MAY_WRITE, MAY_READ or MAY_APPEND, optionally with ^');
        once('mask', { value: v, inMask });
        break;
      }
      case 'fsmagic':
        if (!/^(0x)?[0-9a-f]{1,16}$/i.test(value)) fail('expected a hex magic number');
        once('fsmagic', Number.parseInt(value.replace(/^0x/i, ''), 16));
        break;
      case 'fsname':
        once('fsname', value || fail('expected a filesystem name'));
        break;
      case 'fsuuid':
        once('fsuuid', UUID.test(value) ? value.toLowerCase() : fail('expected a UUID'));
        break;
      case 'keyrings':
      case 'label': {
        const items = value.split('|');
        if (items.some((s) => s === '')) fail('empty list item');
        once(key === 'label' ? 'labels' : 'keyrings', items);
        break;
      }
      case 'appraise_type':
        if (value === 'sigv3' && draft.digestType !== 'verity')
          fail('sigv3 requires digest_type=verity before it');
        if (value === 'imasig' && draft.digestType === 'verity')
          fail('imasig is incompatible with digest_type=verity');
        if (value !== 'imasig' && value !== 'imasig|modsig' && value !== 'sigv3')
          fail('expected imasig, imasig|modsig or sigv3');
        once('appraiseType', value as PolicyRule['appraiseType']);
        sawAppraiseType = true;
        break;
      case 'appraise_flag':
        once('appraiseFlag', value || fail('expected a flag'));
        break;
      case 'appraise_algos': {
        const algos = value.split(',');
        if (algos.some((a) => hashAlgoId(a) === undefined))
          fail('expected a comma list of hash algorithm names');
        once('appraiseAlgos', algos);
        break;
      }
      case 'digest_type':
        if (value !== 'verity') fail('expected verity');
        if (sawAppraiseType) fail('digest_type must come before appraise_type');
        once('digestType', 'verity');
        break;
      case 'pcr': {
        if (!/^\d+$/.test(value) || Number(value) > MAX_PCR)
          fail(`expected a PCR index 0-${MAX_PCR}`);
        once('pcr', Number(value));
        break;
      }
      case 'cache_result':
        if (!opts.extensions)
          fail(
            'a tsem-engine extension (docs/ima.md §9.3), not kernel policy syntax; allow engine extensions to use it'
          );
        if (value !== 'no' && value !== 'yes') fail('expected no or yes');
        if (sawCacheResult) fail(`'${key}' given twice`);
        sawCacheResult = true;
        if (value === 'no') draft.cacheResult = false;
        break;
      case 'template': {
        // Kernel lookup_template_desc: a registered template, by name or by format.
        const known =
          BUILTIN_TEMPLATES[value] !== undefined ||
          Object.values(BUILTIN_TEMPLATES).includes(value);
        once('template', known ? value : fail('unknown template'));
        break;
      }
      default:
        fail('unknown keyword');
    }
  }
  if (!draft.action)
    throw new PolicyError(
      line,
      text.split(/[ \t]+/)[0]!,
      'rule has no action (expected measure, dont_measure, appraise, ...)'
    );
  const rule = draft as PolicyRule;
  const problem = validateRule(rule);
  if (problem) throw new PolicyError(line, problem.keyword, problem.reason);
  return rule;
}
