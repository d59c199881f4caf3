import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type MergeInput, mergeSources } from './merge-sources.js';

const pt = (n: number) => Buffer.alloc(32, n);
const input = (name: string, states: number[], more: Partial<MergeInput> = {}): MergeInput => ({
  name,
  digest: 'sha256',
  dialect: 'tsem-6.12',
  sealed: true,
  states: states.map(pt),
  pseudonyms: [],
  ...more,
});

test('points are unioned in source order, each with the sources holding it', () => {
  const m = mergeSources([input('a', [1, 2, 3]), input('b', [3, 4])]);
  assert.deepEqual(
    m.model.states.map((s) => s[0]),
    [1, 2, 3, 4]
  );
  assert.deepEqual(m.provenance[pt(3).toString('hex')], [0, 1]);
  assert.deepEqual(m.provenance[pt(4).toString('hex')], [1]);
  assert.deepEqual(m.counts, [
    { points: 3, only: 2 },
    { points: 2, only: 1 },
  ]);
  assert.equal(m.model.sealed, true);
  assert.deepEqual(m.conflicts, []);
});

test('a different hash or dialect is fatal; sealed, aggregate and forensics are reported', () => {
  const fatal = mergeSources([input('a', [1]), input('b', [1], { digest: 'sha384' })]);
  assert.deepEqual(
    fatal.conflicts.filter((c) => c.fatal).map((c) => c.kind),
    ['digest']
  );
  const m = mergeSources([
    input('a', [1, 2], { aggregate: pt(9), mode: 'sealed' }),
    input('b', [1], { sealed: false, aggregate: pt(8), mode: 'learn', forensics: [pt(2)] }),
  ]);
  assert.deepEqual(
    m.conflicts.map((c) => [c.kind, c.fatal]),
    [
      ['mode', false],
      ['sealed', false],
      ['aggregate', false],
      ['forensic-elsewhere', false],
    ]
  );
  assert.equal(m.model.sealed, false, 'sealed only when every source is');
  assert.equal(m.model.aggregate, undefined, 'no one host aggregate');
});
