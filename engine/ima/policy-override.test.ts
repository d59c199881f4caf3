import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers/repo.js';
import { parsePolicy } from './policy-parse.js';
import { findOverrides, ruleInside, rulesOverlap } from './policy-override.js';

interface Case {
  readonly n: string;
  readonly host: string;
  readonly ns: string;
  readonly result: string;
}

/** The rows of the case table in docs/ima.md §9.2: the documentation is the test's table. */
function documentedCases(): Case[] {
  const doc = readFileSync(join(repoRoot(), 'docs', 'ima.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### 9.2 '), doc.indexOf('### 9.3 '));
  const cases: Case[] = [];
  for (const line of section.split('\n')) {
    if (!/^\|\s*\d+\s*\|/.test(line)) continue;
    // Cells split on '|' not escaped as '\|' (inside code spans).
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
    const code = (c: string) => c.replace(/^`|`$/g, '');
    cases.push({ n: cells[0]!, host: code(cells[1]!), ns: code(cells[2]!), result: cells[3]! });
  }
  return cases;
}

const cases = documentedCases();

test('docs/ima.md §9.2 has the case table', () => {
  assert.ok(cases.length >= 20, `found ${cases.length} cases`);
});

for (const c of cases) {
  test(`override case ${c.n}: host '${c.host}', namespace '${c.ns}' is ${c.result}`, () => {
    const host = parsePolicy(c.host.split(';').join('\n'), { extensions: true });
    const ns = parsePolicy(c.ns, { extensions: true });
    const found = findOverrides(ns, host);
    const m = /^refused \(line (\d+)\)$/.exec(c.result);
    if (m) {
      assert.equal(found.length, 1, `expected a refusal naming host line ${m[1]}`);
      assert.equal(found[0]!.host.line, Number(m[1]));
      assert.match(
        found[0]!.message,
        /^namespace policy line 1 '.*' would switch off host policy line \d+ '.*'/
      );
    } else {
      assert.equal(c.result, 'allowed');
      assert.deepEqual(
        found.map((f) => f.message),
        []
      );
    }
  });
}

test('overlap and containment are symmetric where they should be', () => {
  const [a, b] = parsePolicy('measure func=FILE_CHECK uid<10\ndont_measure uid>5');
  assert.equal(rulesOverlap(a!, b!), true);
  assert.equal(rulesOverlap(b!, a!), true);
  const [wide, narrow] = parsePolicy(
    'dont_measure fsmagic=0x9fa0\ndont_measure fsmagic=0x9fa0 uid=0'
  );
  assert.equal(ruleInside(narrow!, wide!), true);
  assert.equal(ruleInside(wide!, narrow!), false);
  const [inmask, exact] = parsePolicy('dont_measure mask=^MAY_READ\ndont_measure mask=MAY_READ');
  assert.equal(ruleInside(exact!, inmask!), true);
  assert.equal(ruleInside(inmask!, exact!), false);
});

test('every refusal of a multi-rule namespace policy is reported, each once', () => {
  const host = parsePolicy('measure func=BPRM_CHECK mask=MAY_EXEC\nappraise fowner=0');
  const ns = parsePolicy(
    'dont_measure func=BPRM_CHECK\nmeasure func=FILE_CHECK\ndont_appraise fsmagic=0x1021994'
  );
  assert.deepEqual(
    findOverrides(ns, host).map((o) => [o.rule.line, o.host.line]),
    [
      [1, 1],
      [3, 2],
    ]
  );
});
