import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Prng } from './prng.js';

/** mulberry32 as published by its author (Tommy Ettinger), kept verbatim in spirit as the reference. */
function referenceMulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    let t = (a += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('Prng draws the reference mulberry32 stream (differential)', () => {
  for (const seed of [0, 1, 42, 0x7fffffff, 0xffffffff]) {
    const ref = referenceMulberry32(seed | 0);
    const r = new Prng(seed);
    for (let i = 0; i < 1_000; i++) assert.equal(r.next(), ref(), `seed ${seed} draw ${i}`);
  }
});

test('same seed, same stream; ranges are inclusive and stay in bounds', () => {
  const a = new Prng(123);
  const b = new Prng(123);
  const seen = new Set<number>();
  for (let i = 0; i < 2_000; i++) {
    const x = a.int(3, 7);
    assert.equal(b.int(3, 7), x);
    assert.ok(x >= 3 && x <= 7);
    seen.add(x);
  }
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6, 7]);
});

test('shuffle permutes a copy without losing items', () => {
  const r = new Prng(5);
  const items = Array.from({ length: 20 }, (_, i) => i);
  const s = r.shuffle(items);
  assert.deepEqual(
    [...s].sort((x, y) => x - y),
    items
  );
  assert.notDeepEqual(s, items);
  assert.deepEqual(items.slice(0, 3), [0, 1, 2], 'the input is left alone');
});

test('bad seeds and ranges are refused', () => {
  assert.throws(() => new Prng(-1), /seed: expected an integer in 0\.\.4294967295, got -1/);
  assert.throws(() => new Prng(2 ** 32), RangeError);
  assert.throws(() => new Prng(0).int(5, 4), /bad range 5\.\.4/);
  assert.throws(() => new Prng(0).pick([]), /empty/);
});
