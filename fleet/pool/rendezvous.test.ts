import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rendezvous } from './pool.js';

test("rendezvous placement spreads namespaces and moves only a departed engine's", () => {
  const nss = Array.from({ length: 300 }, (_, i) => `ns${i}`);
  const three = ['e1', 'e2', 'e3'];
  const before = new Map(nss.map((n) => [n, rendezvous(n, three)]));
  for (const e of three) {
    const share = [...before.values()].filter((o) => o === e).length;
    assert.ok(share > 60 && share < 140, `${e} prefers ${share} of 300`);
  }
  const after = new Map(nss.map((n) => [n, rendezvous(n, ['e1', 'e3'])]));
  for (const n of nss) if (before.get(n) !== 'e2') assert.equal(after.get(n), before.get(n));
  assert.equal(rendezvous('x', []), undefined);
});
