import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileGlob, type StepCounter } from './glob.js';
import { fuzzRuns } from '../../test/helpers/fuzz.js';

/**
 * Calls a naive backtracking glob matcher (what a regular expression engine does for `.*`) makes
 * on a name it cannot match: every `*` tries every split. Counted by dynamic programming, not run.
 */
function backtrackingCalls(p: string, s: string): bigint {
  const n = s.length;
  const m = p.length;
  const memo = new Map<number, bigint>();
  const calls = (i: number, j: number): bigint => {
    const key = i * (m + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let c = 1n;
    if (j < m) {
      if (p[j] === '*') for (let k = i; k <= n; k++) c += calls(k, j + 1);
      else if (i < n && (p[j] === '?' || p[j] === s[i])) c += calls(i + 1, j + 1);
    }
    memo.set(key, c);
    return c;
  };
  return calls(0, 0);
}

/** The reference: the same language as a regular expression (fine for short fuzzed inputs). */
function reference(p: string, s: string): boolean {
  const re = p
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(s);
}

test('the Monitor freeze pattern completes within name × pattern steps (backtracking: > 10^12)', () => {
  const pattern = `${'*a'.repeat(20)}*b`;
  const name = 'a'.repeat(40);
  assert.equal(pattern.length, 42);
  assert.ok(backtrackingCalls(pattern, name) > 10n ** 12n, 'the hostile input is exponential');
  const counter: StepCounter = { steps: 0 };
  assert.equal(compileGlob(pattern, counter)(name), false);
  assert.ok(counter.steps <= (name.length + 1) * (pattern.length + 1), `${counter.steps} steps`);
  // The worst case at the limits stays polynomial too.
  const big: StepCounter = { steps: 0 };
  compileGlob(`${'*a'.repeat(127)}*b`, big)('a'.repeat(4096));
  assert.ok(big.steps <= 4097 * 257);
});

test('compileGlob agrees with the regular-expression reference', () => {
  const alphabet = fc.constantFrom('a', 'b', '*', '?', '.', '\n');
  fc.assert(
    fc.property(
      fc.string({ unit: alphabet, maxLength: 12 }),
      fc.string({ unit: fc.constantFrom('a', 'b', '.', '\n', '*'), maxLength: 16 }),
      (p, s) => compileGlob(p)(s) === reference(p, s)
    ),
    { numRuns: fuzzRuns(2000) }
  );
});

test('compileGlob: limits and plain cases', () => {
  assert.throws(() => compileGlob('x'.repeat(257)), RangeError);
  assert.ok(compileGlob('*')(''));
  assert.ok(compileGlob('')(''));
  assert.ok(!compileGlob('')('a'));
  assert.ok(compileGlob('**a**')('xxa'));
});
