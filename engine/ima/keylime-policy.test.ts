import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRuntimePolicy, verifyAgainstRuntimePolicy } from './keylime-policy.js';
import { createTemplateEntry } from './template-entry.js';

const policy = (excludes: string[]) =>
  JSON.stringify({ meta: { version: 1 }, excludes, digests: {}, ima: {} });

test('Keylime excludes match in linear time: a backtracking-hostile exclude completes', () => {
  // `(a+)+b` against a run of a's takes exponentially many steps in a backtracking engine
  // (2^60 here); RE2 answers in time linear in the name.
  const p = parseRuntimePolicy(policy(['(a+)+b']));
  const name = 'a'.repeat(60);
  const digest = Buffer.concat([Buffer.from('sha256:\0'), Buffer.alloc(32)]);
  const entry = createTemplateEntry(10, 'ima-ng', [digest, Buffer.from(`${name}\0`)]);
  const findings = verifyAgainstRuntimePolicy([entry], p);
  assert.equal(findings.length, 1, 'not excluded (no b), so not in the allowlist');
  const excluded = parseRuntimePolicy(policy(['a+$']));
  assert.equal(verifyAgainstRuntimePolicy([entry], excluded).length, 0, 'excluded: no finding');
});

test('Keylime excludes: patterns RE2 cannot match in linear time are refused clearly', () => {
  assert.throws(
    () => parseRuntimePolicy(policy(['(a)\\1'])),
    /not a regular expression RE2 accepts/
  );
  assert.throws(() => parseRuntimePolicy(policy(['(?=x)'])), /RE2/);
});
