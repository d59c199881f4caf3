import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fullCollector, IdleMemory } from './idle-memory.js';

const MiB = 1048576;
const tick = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** A heap that a collection shrinks by `gain` down to `live`, as V8's does over a few passes. */
function fakeHeap(total: number, live: number, gain: number) {
  const h = { total, used: total, collections: 0 };
  return {
    h,
    heap: () => ({ used: h.used, total: h.total }),
    gc: () => {
      h.collections++;
      h.total = Math.max(live, h.total - gain);
      h.used = live;
    },
  };
}

test('collects only after work arrived and then stopped for idleMs, while it gives memory back', async () => {
  let work = 0;
  const f = fakeHeap(300 * MiB, 40 * MiB, 100 * MiB);
  const reports: number[] = [];
  const idle = new IdleMemory({
    activity: () => work,
    idleMs: 60,
    checkMs: 10,
    gc: f.gc,
    heap: f.heap,
    report: (r) => reports.push(r.heapAfter),
  }).start();
  try {
    await tick(150);
    assert.equal(f.h.collections, 0, 'no work yet: nothing to give back');
    // Busy: the counter moves on every check, so no collection runs.
    const busy = setInterval(() => work++, 5);
    await tick(200);
    clearInterval(busy);
    assert.equal(f.h.collections, 0, 'no collection while work arrives');
    await tick(300);
    // 300 → 200 → 100 → 40 MiB, then a fourth pass gives back nothing more: it stops there.
    assert.deepEqual(
      reports.map((b) => b / MiB),
      [200, 100, 40, 40]
    );
    await tick(200);
    assert.equal(f.h.collections, 4, 'one quiet spell, at most four collections');
    // New work, then quiet: the heap holds no slack above the live size, so nothing runs.
    work++;
    await tick(200);
    assert.equal(f.h.collections, 4);
  } finally {
    idle.stop();
  }
});

test('a collection that gives back less than 8 MiB ends the spell', async () => {
  let work = 0;
  const f = fakeHeap(100 * MiB, 90 * MiB, 4 * MiB);
  const idle = new IdleMemory({
    activity: () => work,
    idleMs: 20,
    checkMs: 10,
    minSlackBytes: 1,
    gc: f.gc,
    heap: f.heap,
  }).start();
  try {
    work++;
    await tick(300);
    assert.equal(f.h.collections, 1);
  } finally {
    idle.stop();
  }
});

test('once quiet for trimMs, one more collection trims a young generation left large, once per spell', async () => {
  let work = 0;
  let young = 32 * MiB;
  const f = fakeHeap(100 * MiB, 90 * MiB, 4 * MiB);
  const idle = new IdleMemory({
    activity: () => work,
    idleMs: 20,
    trimMs: 120,
    checkMs: 10,
    minSlackBytes: 1,
    gc: () => {
      f.gc();
      young = 1 * MiB;
    },
    heap: f.heap,
    young: () => young,
  }).start();
  try {
    work++;
    await tick(80);
    assert.equal(
      f.h.collections,
      1,
      "the spell's collection (it gave back too little for another)"
    );
    young = 32 * MiB; // as V8 leaves it: the spell's collection saw the burst's allocation rate
    await tick(200);
    assert.equal(f.h.collections, 2, 'the trim ran once the spell was trimMs old');
    young = 32 * MiB;
    await tick(200);
    assert.equal(f.h.collections, 2, 'once per quiet spell');
    // A new spell whose young generation is already small: no trim.
    young = 1 * MiB;
    work++;
    await tick(300);
    assert.equal(f.h.collections, 3, "only the spell's own collection");
  } finally {
    idle.stop();
  }
});

test('startupBurst: the startup counts as a burst, so an engine that never ingests still gives its startup garbage back', async () => {
  const f = fakeHeap(100 * MiB, 20 * MiB, 100 * MiB);
  const idle = new IdleMemory({
    activity: () => 0,
    startupBurst: true,
    idleMs: 20,
    trimMs: 60,
    checkMs: 10,
    gc: f.gc,
    heap: f.heap,
    young: () => 32 * MiB,
  }).start();
  try {
    await tick(200);
    // The spell's collection (100 → 20 MiB; the next gives nothing back), then the trim.
    assert.equal(f.h.collections, 3);
  } finally {
    idle.stop();
  }
});

test("V8's full collector is reachable without --expose-gc and frees garbage", () => {
  const gc = fullCollector();
  assert.ok(gc, 'a collector');
  let garbage: unknown[] | undefined = Array.from({ length: 2e5 }, (_, i) => ({ i, s: `x${i}` }));
  const before = process.memoryUsage().heapUsed;
  garbage = undefined;
  assert.equal(garbage, undefined);
  gc();
  assert.ok(process.memoryUsage().heapUsed < before - 4 * MiB, 'the garbage is gone');
});
