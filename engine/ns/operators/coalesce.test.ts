/** coalesce(): the rxjs operator checklist (empty, single, many, error, never-ending, early disposal, throwing work). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY, NEVER, Subject, lastValueFrom, of, throwError, toArray } from 'rxjs';
import { coalesce } from './coalesce.js';

const tick = () => new Promise((r) => setImmediate(r));
const echo = (items: number[]) => Promise.resolve(items);

test('empty source completes with nothing', async () => {
  assert.deepEqual(
    await lastValueFrom(
      EMPTY.pipe(
        coalesce(echo, 8, () => undefined),
        toArray()
      )
    ),
    []
  );
});

test('a single value is one run', async () => {
  assert.deepEqual(
    await lastValueFrom(
      of(1).pipe(
        coalesce(echo, 8, () => undefined),
        toArray()
      )
    ),
    [[1]]
  );
});

test('values arriving while a run is busy are coalesced, in order, at most maxBatch per run', async () => {
  const src = new Subject<number>();
  let release!: () => void;
  const first = new Promise<void>((r) => (release = r));
  const runs: number[][] = [];
  const done = lastValueFrom(
    src.pipe(
      coalesce(
        async (items) => {
          runs.push(items);
          if (runs.length === 1) await first;
          return items.length;
        },
        3,
        () => undefined
      ),
      toArray()
    )
  );
  src.next(1); // starts run 1, which waits
  for (const v of [2, 3, 4, 5, 6, 7]) src.next(v);
  release();
  src.complete();
  assert.deepEqual(await done, [1, 3, 3]);
  assert.deepEqual(runs, [[1], [2, 3, 4], [5, 6, 7]]);
});

test('a failing run is reported with its items; later runs go on', async () => {
  const reported: [string, number[]][] = [];
  const out = await lastValueFrom(
    of(1, 2, 3).pipe(
      coalesce(
        async (items) => {
          if (items.includes(1)) throw new Error('bad batch');
          return items;
        },
        1,
        (err, items) => reported.push([(err as Error).message, items])
      ),
      toArray()
    )
  );
  assert.deepEqual(out, [[2], [3]]);
  assert.deepEqual(reported, [['bad batch', [1]]]);
});

test('a source error is passed on', async () => {
  await assert.rejects(
    lastValueFrom(
      throwError(() => new Error('source broke')).pipe(coalesce(echo, 8, () => undefined))
    ),
    /source broke/
  );
});

test('completion waits for the run in flight', async () => {
  let finished = false;
  const out = await lastValueFrom(
    of(1).pipe(
      coalesce(
        async (items) => {
          await tick();
          finished = true;
          return items;
        },
        8,
        () => undefined
      ),
      toArray()
    )
  );
  assert.equal(finished, true);
  assert.deepEqual(out, [[1]]);
});

test('a never-ending source emits runs and can be unsubscribed early', async () => {
  const src = new Subject<number>();
  const seen: number[][] = [];
  const sub = src.pipe(coalesce(echo, 8, () => undefined)).subscribe((v) => seen.push(v));
  src.next(1);
  await tick();
  sub.unsubscribe();
  src.next(2);
  await tick();
  assert.deepEqual(seen, [[1]]);
  assert.equal(src.observed, false);
  const never = NEVER.pipe(coalesce(echo, 8, () => undefined)).subscribe();
  never.unsubscribe();
});

test('a run takes items up to maxWeight (one item always goes), so a run stays short', async () => {
  const src = new Subject<number>();
  let release!: () => void;
  const first = new Promise<void>((r) => (release = r));
  const runs: number[][] = [];
  const done = lastValueFrom(
    src.pipe(
      coalesce(
        async (items: number[]) => {
          runs.push(items);
          if (runs.length === 1) await first;
          return items;
        },
        64,
        () => undefined,
        (n) => n,
        10
      ),
      toArray()
    )
  );
  src.next(1);
  for (const n of [4, 5, 2, 30, 3]) src.next(n);
  await tick();
  release();
  src.complete();
  await done;
  assert.deepEqual(runs, [[1], [4, 5], [2], [30], [3]]);
});
