import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ContourMap } from './contour-map.js';

const coefficient = (i: number) => createHash('sha256').update(`point ${i}`).digest();

test("a verdict's coefficient Buffer is its own point's, however the map grows", () => {
  const map = new ContourMap();
  const seen: number[] = [];
  for (let i = 0; i < 3000; i++) {
    map.add(coefficient(i), true);
    seen.push(i);
    // Ask for some earlier points as the map grows past each slot count (1, 2, 4 … 1024, more).
    for (const j of [i, i >> 1, (i * 7919) % seen.length, 0]) {
      const p = map.points()[j]!;
      assert.deepEqual(map.coefficientOf(p), coefficient(j), `point ${j} with ${i + 1} points`);
    }
  }
});
