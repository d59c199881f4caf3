import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeldList } from './held-list.js';

const key = (n: number) => Buffer.alloc(32, n).toString('latin1');

test('a held list gives each entry as its coefficient bytes and its line', () => {
  const l = new HeldList();
  for (let i = 1; i <= 4; i++) l.push(key(i), `line ${i}`);
  assert.equal(l.length, 4);
  assert.deepEqual(l.at(0), { coefficient: Buffer.alloc(32, 1), line: 'line 1' });
  assert.deepEqual(l.at(-1), { coefficient: Buffer.alloc(32, 4), line: 'line 4' });
  assert.equal(l.at(4), undefined);
  assert.equal(l.at(-5), undefined);
  assert.equal(l.hex(1), '02'.repeat(32));
  assert.deepEqual(
    l.slice(2).map((e) => e.line),
    ['line 3', 'line 4']
  );
  assert.deepEqual(
    [...l].map((e) => e.coefficient[0]),
    [1, 2, 3, 4]
  );
});

test('released lines leave memory, coefficients stay, and a release never goes back', () => {
  const l = new HeldList();
  for (let i = 1; i <= 5; i++) l.push(key(i), `line ${i}`);
  l.release(3);
  assert.equal(l.released, 3);
  assert.deepEqual(l.at(2), { coefficient: Buffer.alloc(32, 3) });
  assert.equal(l.line(3), 'line 4');
  l.release(1);
  assert.equal(l.released, 3);
  assert.equal(l.line(1), undefined);
  l.release(-4);
  assert.equal(l.released, 3);
  assert.ok(l.every((e) => e.coefficient.length === 32));
});
