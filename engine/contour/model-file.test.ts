import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../common/errors.js';
import { createDigest } from '../measure/digest.js';
import { formatModelFile, parseModelFile } from './model-file.js';
import { diffModels, mergeModels, summarizeModel } from './model-ops.js';

const sha = createDigest('sha256');
const h = (c: string) => c.repeat(64);
const MODEL = `# trained on nginx\nbase ${h('0')}\naggregate ${h('a')}\nstate ${h('1')}\nstate ${h('2')}\npseudonym ${h('3')}\nseal\nend\n`;

test('parse and format round-trip', () => {
  const m = parseModelFile(MODEL, sha);
  assert.equal(m.states.length, 2);
  assert.equal(m.pseudonyms.length, 1);
  assert.equal(m.sealed, true);
  assert.equal(formatModelFile(m), MODEL);
});

test('duplicate states load once (each new point is added once)', () => {
  const m = parseModelFile(`aggregate ${h('a')}\nstate ${h('1')}\nstate ${h('1')}\nend\n`, sha);
  assert.equal(m.states.length, 1);
});

const BAD: Record<string, [string, RegExp]> = {
  'wrong digest length': [
    `aggregate ${h('a')}\nstate ${'1'.repeat(40)}\nend\n`,
    /m line 2: 'state' value has 40 hex characters, expected 64 for sha256/,
  ],
  'non-hex value': [`state ${'g'.repeat(64)}\nend\n`, /m line 1: 'state' value is not hex/],
  'unknown keyword': [`stat ${h('1')}\nend\n`, /m line 1: unknown keyword 'stat'/],
  'missing end': [`state ${h('1')}\n`, /missing 'end' line/],
  'line after end': [`end\nstate ${h('1')}\n`, /m line 2: 'state' after 'end'/],
  'extra value': [`seal now\nend\n`, /m line 1: 'seal' takes no value/],
};
for (const [name, [text, re]] of Object.entries(BAD)) {
  test(`bad model file: ${name}`, () => {
    assert.throws(
      () => parseModelFile(text, sha, 'm'),
      (e: unknown) => e instanceof EngineError && re.test(e.message)
    );
  });
}

test('summary: measurement in file order, state sorted', () => {
  const a = parseModelFile(`aggregate ${h('a')}\nstate ${h('1')}\nstate ${h('2')}\nend\n`, sha);
  const b = parseModelFile(`aggregate ${h('a')}\nstate ${h('2')}\nstate ${h('1')}\nend\n`, sha);
  assert.deepEqual(summarizeModel(a, sha).state, summarizeModel(b, sha).state);
  assert.notDeepEqual(summarizeModel(a, sha).measurement, summarizeModel(b, sha).measurement);
});

test('diff and merge', () => {
  const a = parseModelFile(`aggregate ${h('a')}\nstate ${h('1')}\nstate ${h('2')}\nend\n`, sha);
  const b = parseModelFile(`aggregate ${h('a')}\nstate ${h('2')}\nstate ${h('3')}\nend\n`, sha);
  const d = diffModels(a, b);
  assert.deepEqual([d.common, d.onlyA.length, d.onlyB.length], [1, 1, 1]);
  const m = mergeModels(a, b);
  assert.deepEqual(
    m.states.map((s) => s.toString('hex')),
    [h('1'), h('2'), h('3')]
  );
  const other = parseModelFile(`aggregate ${h('b')}\nend\n`, sha);
  assert.throws(() => mergeModels(a, other), /different aggregates/);
});
