import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuplicateKeyError, parseStrictJson } from './strict-json.js';

test('parseStrictJson: equal keys in one object are refused, naming where', () => {
  assert.deepEqual(parseStrictJson('{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}'), {
    a: 1,
    b: { a: 2 },
    c: [{ a: 3 }, { a: 4 }],
  });
  assert.throws(() => parseStrictJson('{"nonce": "aa", "x": 1, "nonce": "bb"}'), DuplicateKeyError);
  assert.throws(() => parseStrictJson('{"q": {"r": 1, "\\u0072": 2}}'), /duplicate key "r" in \.q/);
  assert.throws(() => parseStrictJson('{"a": "}\\"{", "a": 1}'), /duplicate key "a"/);
  assert.throws(() => parseStrictJson('{"a": 1,'), SyntaxError);
  assert.throws(() => parseStrictJson('['.repeat(100) + ']'.repeat(100)), /deeper than 64/);
});
