/**
 * Rule validity (ima.md §3.3, ima_policy.c ima_validate_rule): which actions and conditions each
 * func allows, and the cross-option constraints.
 */
import type { PolicyRule } from './policy-rule.js';

export interface RuleProblem {
  readonly keyword: string;
  readonly reason: string;
}

type Cond =
  | 'func'
  | 'mask'
  | 'fs'
  | 'uid'
  | 'gid'
  | 'owner'
  | 'lsm'
  | 'pcr'
  | 'template'
  | 'keyrings'
  | 'label'
  | 'appraise_type'
  | 'modsig'
  | 'directio'
  | 'algos'
  | 'digest_type'
  | 'flag';

const FILE_CONDS: readonly Cond[] = [
  'func',
  'mask',
  'fs',
  'uid',
  'gid',
  'owner',
  'lsm',
  'pcr',
  'template',
  'appraise_type',
  'directio',
  'algos',
  'digest_type',
  'flag',
];
const MEASURE_ONLY = ['measure', 'dont_measure'];

function present(r: PolicyRule): Map<Cond, string> {
  const m = new Map<Cond, string>();
  if (r.func) m.set('func', 'func');
  if (r.mask) m.set('mask', 'mask');
  if (r.fsmagic !== undefined) m.set('fs', 'fsmagic');
  if (r.fsname !== undefined) m.set('fs', 'fsname');
  if (r.fsuuid !== undefined) m.set('fs', 'fsuuid');
  if (r.ids.uid || r.ids.euid) m.set('uid', r.ids.uid ? 'uid' : 'euid');
  if (r.ids.gid || r.ids.egid) m.set('gid', r.ids.gid ? 'gid' : 'egid');
  if (r.ids.fowner || r.ids.fgroup) m.set('owner', r.ids.fowner ? 'fowner' : 'fgroup');
  const lsm = Object.keys(r.lsm)[0];
  if (lsm) m.set('lsm', lsm);
  if (r.pcr !== undefined) m.set('pcr', 'pcr');
  if (r.template) m.set('template', 'template');
  if (r.keyrings) m.set('keyrings', 'keyrings');
  if (r.labels) m.set('label', 'label');
  if (r.appraiseType)
    m.set(r.appraiseType === 'imasig|modsig' ? 'modsig' : 'appraise_type', 'appraise_type');
  if (r.permitDirectio) m.set('directio', 'permit_directio');
  if (r.appraiseAlgos) m.set('algos', 'appraise_algos');
  if (r.digestType) m.set('digest_type', 'digest_type');
  if (r.appraiseFlag) m.set('flag', 'appraise_flag');
  return m;
}

function allowedFor(r: PolicyRule): { actions?: readonly string[]; conds: readonly Cond[] } {
  switch (r.func) {
    case undefined:
    case 'FILE_CHECK':
    case 'MMAP_CHECK':
    case 'MMAP_CHECK_REQPROT':
    case 'BPRM_CHECK':
    case 'CREDS_CHECK':
    case 'FIRMWARE_CHECK':
    case 'POLICY_CHECK':
      return { conds: FILE_CONDS };
    case 'MODULE_CHECK':
    case 'KEXEC_KERNEL_CHECK':
    case 'KEXEC_INITRAMFS_CHECK':
      return { conds: [...FILE_CONDS.filter((c) => c !== 'digest_type'), 'modsig'] };
    case 'KEXEC_CMDLINE':
      return {
        actions: MEASURE_ONLY,
        conds: ['func', 'fs', 'uid', 'gid', 'owner', 'pcr', 'template'],
      };
    case 'KEY_CHECK':
      return {
        actions: MEASURE_ONLY,
        conds: ['func', 'uid', 'gid', 'pcr', 'template', 'keyrings'],
      };
    case 'CRITICAL_DATA':
      return { actions: MEASURE_ONLY, conds: ['func', 'uid', 'gid', 'pcr', 'template', 'label'] };
    case 'SETXATTR_CHECK':
      return { actions: ['appraise'], conds: ['func', 'algos'] };
  }
}

/** The first problem with a parsed rule, or undefined when the kernel would accept it. */
export function validateRule(r: PolicyRule): RuleProblem | undefined {
  const conds = present(r);
  if ((r.pcr !== undefined || r.template) && r.action !== 'measure') {
    return {
      keyword: r.pcr !== undefined ? 'pcr' : 'template',
      reason: `only allowed with measure, not ${r.action}`,
    };
  }
  if (r.cacheResult === false && r.action !== 'appraise') {
    return {
      keyword: 'cache_result',
      reason: `only allowed with appraise, not ${r.action} (it controls the appraisal cache)`,
    };
  }
  if ((r.appraiseType || r.appraiseAlgos || r.appraiseFlag) && r.action !== 'appraise') {
    return {
      keyword:
        conds.get('appraise_type') ?? conds.get('modsig') ?? conds.get('algos') ?? 'appraise_flag',
      reason: `only allowed with appraise, not ${r.action}`,
    };
  }
  const allowed = allowedFor(r);
  if (allowed.actions && !allowed.actions.includes(r.action)) {
    return { keyword: 'func', reason: `func=${r.func} does not allow action ${r.action}` };
  }
  for (const [c, keyword] of conds) {
    if (!allowed.conds.includes(c))
      return { keyword, reason: `not allowed with ${r.func ? `func=${r.func}` : 'no func'}` };
  }
  if (r.func === 'SETXATTR_CHECK' && !r.appraiseAlgos) {
    return { keyword: 'func', reason: 'SETXATTR_CHECK requires appraise_algos' };
  }
  if (r.action === 'appraise' && r.digestType === 'verity' && !r.appraiseType) {
    return {
      keyword: 'digest_type',
      reason: 'appraise with digest_type=verity needs appraise_type=sigv3',
    };
  }
  return undefined;
}
