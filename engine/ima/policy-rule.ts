/**
 * IMA policy rule model (ima.md §3.1–3.3, ima_policy.c struct ima_rule_entry).
 */

export const POLICY_ACTIONS = [
  'measure',
  'dont_measure',
  'appraise',
  'dont_appraise',
  'audit',
  'hash',
  'dont_hash',
] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export const POLICY_FUNCS = [
  'FILE_CHECK',
  'MODULE_CHECK',
  'FIRMWARE_CHECK',
  'MMAP_CHECK',
  'MMAP_CHECK_REQPROT',
  'BPRM_CHECK',
  'CREDS_CHECK',
  'KEXEC_KERNEL_CHECK',
  'KEXEC_INITRAMFS_CHECK',
  'POLICY_CHECK',
  'KEXEC_CMDLINE',
  'KEY_CHECK',
  'CRITICAL_DATA',
  'SETXATTR_CHECK',
] as const;
export type PolicyFunc = (typeof POLICY_FUNCS)[number];

/** Aliases the parser accepts (ima.md §3.1). */
export const FUNC_ALIASES: Readonly<Record<string, PolicyFunc>> = {
  PATH_CHECK: 'FILE_CHECK',
  FILE_MMAP: 'MMAP_CHECK',
};

/** MAY_* values (ima.md §3.1). */
export const MAY: Readonly<Record<string, number>> = {
  MAY_EXEC: 0x1,
  MAY_WRITE: 0x2,
  MAY_READ: 0x4,
  MAY_APPEND: 0x8,
};

/** The action class a rule belongs to: first match per class decides (§3.4). */
export type ActionClass = 'measure' | 'appraise' | 'audit' | 'hash';

export function actionClass(a: PolicyAction): ActionClass {
  return a.replace(/^dont_/, '') as ActionClass;
}

export interface IdCondition {
  readonly op: '=' | '>' | '<';
  readonly value: number;
}

export type IdKey = 'uid' | 'euid' | 'gid' | 'egid' | 'fowner' | 'fgroup';
export const LSM_KEYS = [
  'obj_user',
  'obj_role',
  'obj_type',
  'subj_user',
  'subj_role',
  'subj_type',
] as const;
export type LsmKey = (typeof LSM_KEYS)[number];

export interface PolicyRule {
  /** 1-based line in the policy text. */
  readonly line: number;
  readonly action: PolicyAction;
  readonly func?: PolicyFunc;
  readonly mask?: { readonly value: number; readonly inMask: boolean };
  readonly fsmagic?: number;
  readonly fsname?: string;
  readonly fsuuid?: string;
  readonly ids: Readonly<Partial<Record<IdKey, IdCondition>>>;
  readonly lsm: Readonly<Partial<Record<LsmKey, string>>>;
  readonly keyrings?: readonly string[];
  readonly labels?: readonly string[];
  readonly appraiseType?: 'imasig' | 'imasig|modsig' | 'sigv3';
  readonly appraiseFlag?: string;
  readonly appraiseAlgos?: readonly string[];
  readonly digestType?: 'verity';
  readonly permitDirectio: boolean;
  readonly pcr?: number;
  readonly template?: string;
  /**
   * `cache_result=no`, an engine extension (ima.md §9.3): the appraisal this rule decides is not
   * cached, so every access is appraised again. Undefined means the kernel's caching.
   */
  readonly cacheResult?: false;
}

/** Kernel read-back form (ima_policy_show), one space after each part, trimmed. */
export function ruleToText(r: PolicyRule): string {
  const parts: string[] = [r.action];
  if (r.func) parts.push(`func=${r.func}`);
  if (r.mask) {
    const name =
      Object.entries(MAY).find(([, v]) => v === r.mask!.value)?.[0] ?? String(r.mask.value);
    parts.push(`mask=${r.mask.inMask ? '^' : ''}${name}`);
  }
  if (r.fsmagic !== undefined) parts.push(`fsmagic=0x${r.fsmagic.toString(16)}`);
  if (r.fsname !== undefined) parts.push(`fsname=${r.fsname}`);
  if (r.keyrings) parts.push(`keyrings=${r.keyrings.join('|')}`);
  if (r.labels) parts.push(`label=${r.labels.join('|')}`);
  if (r.pcr !== undefined) parts.push(`pcr=${r.pcr}`);
  if (r.fsuuid !== undefined) parts.push(`fsuuid=${r.fsuuid}`);
  for (const [k, c] of Object.entries(r.ids)) parts.push(`${k}${c.op}${c.value}`);
  for (const [k, v] of Object.entries(r.lsm)) parts.push(`${k}=${v}`);
  if (r.template) parts.push(`template=${r.template}`);
  if (r.digestType) parts.push(`digest_type=${r.digestType}`);
  if (r.appraiseType) parts.push(`appraise_type=${r.appraiseType}`);
  if (r.appraiseAlgos) parts.push(`appraise_algos=${r.appraiseAlgos.join(',')}`);
  if (r.appraiseFlag) parts.push(`appraise_flag=${r.appraiseFlag}`);
  if (r.permitDirectio) parts.push('permit_directio');
  if (r.cacheResult === false) parts.push('cache_result=no');
  return parts.join(' ');
}
