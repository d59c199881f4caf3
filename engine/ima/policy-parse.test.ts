import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy, PolicyError } from './policy-parse.js';
import { matchPolicy } from './policy-match.js';
import { ruleToText } from './policy-rule.js';

const VALID: Record<string, string> = {
  'measure exec': 'measure func=BPRM_CHECK mask=MAY_EXEC',
  'inmask and euid': 'measure func=FILE_CHECK mask=^MAY_READ euid=0',
  'alias FILE_MMAP': 'measure func=FILE_MMAP mask=MAY_EXEC',
  'fsmagic without 0x': 'dont_measure fsmagic=1021994',
  'lsm condition': 'dont_measure obj_type=var_log_t',
  'uid ops': 'measure fowner>1000 uid<5',
  'pcr and template': 'measure func=BPRM_CHECK pcr=11 template=ima-sig',
  'appraise imasig': 'appraise func=MODULE_CHECK appraise_type=imasig|modsig',
  'verity then sigv3': 'appraise func=BPRM_CHECK digest_type=verity appraise_type=sigv3',
  'key check': 'measure func=KEY_CHECK keyrings=.ima|.builtin_trusted_keys',
  'critical data': 'measure func=CRITICAL_DATA label=selinux',
  'setxattr algos': 'appraise func=SETXATTR_CHECK appraise_algos=sha256,sha384',
  'trailing comment': 'measure func=BPRM_CHECK # exec',
};

const INVALID: Record<string, [string, string]> = {
  'typo action': ['dnt_measure func=BPRM_CHECK', 'dnt_measure'],
  'unknown func': ['measure func=FOO_CHECK', 'func=FOO_CHECK'],
  'two actions': ['measure appraise', 'appraise'],
  'no action': ['func=BPRM_CHECK', 'func=BPRM_CHECK'],
  'duplicate func': ['measure func=BPRM_CHECK func=FILE_CHECK', 'func=FILE_CHECK'],
  'uid and euid share a slot': ['measure uid=0 euid=0', 'euid=0'],
  'pcr out of range': ['measure pcr=64', 'pcr=64'],
  'pcr on dont_measure': ['dont_measure pcr=11', 'pcr'],
  'template on appraise': ['appraise template=ima-ng', 'template'],
  'unknown template': ['measure template=nope', 'template=nope'],
  'empty keyring item': ['measure func=KEY_CHECK keyrings=a||b', 'keyrings=a||b'],
  'keyrings without KEY_CHECK': ['measure func=FILE_CHECK keyrings=.ima', 'keyrings'],
  'appraise on KEY_CHECK': ['appraise func=KEY_CHECK', 'func'],
  'modsig on BPRM_CHECK': ['appraise func=BPRM_CHECK appraise_type=imasig|modsig', 'appraise_type'],
  'sigv3 without verity': ['appraise func=BPRM_CHECK appraise_type=sigv3', 'appraise_type=sigv3'],
  'digest_type after appraise_type': [
    'appraise func=BPRM_CHECK appraise_type=imasig digest_type=verity',
    'digest_type=verity',
  ],
  'setxattr without algos': ['appraise func=SETXATTR_CHECK', 'func'],
  'bad mask': ['measure mask=MAY_FLY', 'mask=MAY_FLY'],
  'bad fsuuid': ['measure fsuuid=123', 'fsuuid=123'],
  'decimal uid only': ['measure uid=0x10', 'uid=0x10'],
};

for (const [name, line] of Object.entries(VALID)) {
  test(`policy accepts: ${name}`, () => {
    const rules = parsePolicy(`# header\n\n${line}\n`);
    assert.equal(rules.length, 1);
    assert.equal(rules[0]!.line, 3);
  });
}

for (const [name, [line, keyword]] of Object.entries(INVALID)) {
  test(`policy rejects: ${name}`, () => {
    assert.throws(
      () => parsePolicy(`measure func=BPRM_CHECK\n${line}\n`),
      (err: unknown) => err instanceof PolicyError && err.line === 2 && err.keyword === keyword
    );
  });
}

test('read-back form round-trips through the parser', () => {
  const text = 'measure func=FILE_CHECK mask=^MAY_READ fsmagic=0x1021994 euid=0 template=ima-sig';
  const [rule] = parsePolicy(text);
  assert.equal(
    ruleToText(rule!),
    'measure func=FILE_CHECK mask=^MAY_READ fsmagic=0x1021994 euid=0 template=ima-sig'
  );
});

const root = { uid: 0, euid: 0, gid: 0, egid: 0 };
const user = { uid: 1000, euid: 1000, gid: 1000, egid: 1000 };

test('first match per action class: dont_measure first wins, appraise still decided', () => {
  const rules = parsePolicy(
    'dont_measure fsmagic=0x9fa0\nmeasure func=BPRM_CHECK\nappraise func=BPRM_CHECK appraise_type=imasig\n'
  );
  const onProc = matchPolicy(rules, { func: 'BPRM_CHECK', mask: 1, cred: root, fsmagic: 0x9fa0 });
  assert.equal(onProc.measure, false);
  assert.equal(onProc.appraise, true);
  assert.equal(onProc.digsigRequired, true);
  const onExt4 = matchPolicy(rules, { func: 'BPRM_CHECK', mask: 1, cred: root, fsmagic: 0xef53 });
  assert.equal(onExt4.measure, true);
});

test('mask= is exact, mask=^ is a subset test', () => {
  const exact = parsePolicy('measure func=FILE_CHECK mask=MAY_READ');
  const inmask = parsePolicy('measure func=FILE_CHECK mask=^MAY_READ');
  const rw = { func: 'FILE_CHECK' as const, mask: 0x4 | 0x2, cred: root };
  assert.equal(matchPolicy(exact, rw).measure, false);
  assert.equal(matchPolicy(inmask, rw).measure, true);
});

test('uid, euid with CAP_SETUID, pcr= and template= come from the deciding rule', () => {
  const rules = parsePolicy('measure func=FILE_CHECK euid=0 pcr=11 template=ima-sig');
  assert.equal(matchPolicy(rules, { func: 'FILE_CHECK', mask: 4, cred: user }).measure, false);
  const setuid = { uid: 0, euid: 1000, gid: 0, egid: 0, capSetuid: true };
  const d = matchPolicy(rules, { func: 'FILE_CHECK', mask: 4, cred: setuid });
  assert.equal(d.measure, true);
  assert.equal(d.pcr, 11);
  assert.equal(d.template, 'ima-sig');
});

test('KEY_CHECK matches only rules of its func and listed keyrings', () => {
  const rules = parsePolicy('measure\nmeasure func=KEY_CHECK keyrings=.ima');
  assert.equal(
    matchPolicy(rules.slice(0, 1), { func: 'KEY_CHECK', mask: 0, cred: root, keyring: '.ima' })
      .measure,
    false
  );
  assert.equal(
    matchPolicy(rules, { func: 'KEY_CHECK', mask: 0, cred: root, keyring: '.ima' }).measure,
    true
  );
  assert.equal(
    matchPolicy(rules, { func: 'KEY_CHECK', mask: 0, cred: root, keyring: '.evm' }).measure,
    false
  );
});
