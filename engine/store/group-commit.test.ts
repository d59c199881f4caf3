import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from './group-commit.js';

test('batches are written in order; those submitted during a write share the next one', async () => {
  const writes: number[][] = [];
  let release!: () => void;
  const q = new GroupCommit<number>(async (ops) => {
    writes.push(ops);
    if (writes.length === 1) await new Promise<void>((r) => (release = r));
  });
  const committed: number[] = [];
  const all = [1, 2, 3, 4].map((n) => q.submit([n, n * 10], () => committed.push(n)));
  await new Promise((r) => setImmediate(r));
  release();
  await Promise.all(all);
  assert.deepEqual(writes, [
    [1, 10],
    [2, 20, 3, 30, 4, 40],
  ]);
  assert.deepEqual(committed, [1, 2, 3, 4]);
  await q.idle();
});

test('a failed write fails its group and all queued after it, and stays failed until reset', async () => {
  let fail = true;
  let release!: () => void;
  let first = true;
  const q = new GroupCommit<string>(async () => {
    if (first) {
      first = false;
      await new Promise<void>((r) => (release = r));
    }
    if (fail) throw new Error('ENOSPC');
  });
  const a = q.submit(['a']);
  const b = q.submit(['b']);
  const c = q.submit(['c']);
  release();
  await assert.rejects(a, /ENOSPC/);
  await assert.rejects(b, /ENOSPC/);
  await assert.rejects(c, /ENOSPC/);
  assert.match(q.failure!.message, /ENOSPC/);
  await assert.rejects(q.submit(['d']), /ENOSPC/, 'sticky');
  fail = false;
  q.reset();
  await q.submit(['e']);
  assert.equal(q.failure, undefined);
});

test('settled() waits for what was submitted before it, not for later submissions', async () => {
  const gates: (() => void)[] = [];
  const q = new GroupCommit<number>(() => new Promise<void>((r) => gates.push(r)));
  const order: string[] = [];
  void q.submit([1]).then(() => order.push('write 1'));
  const settled = q.settled().then(() => order.push('settled'));
  void q.submit([2]).then(() => order.push('write 2'));
  await new Promise((r) => setImmediate(r));
  gates.shift()!(); // the first write
  await settled;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['write 1', 'settled']);
  gates.shift()!();
  await q.idle();
  assert.deepEqual(order, ['write 1', 'settled', 'write 2']);
});

test("another writer's job runs alone in its turn, and its failure stops every writer", async () => {
  const log: string[] = [];
  let release!: () => void;
  const q = new GroupCommit<number>(async (ops) => {
    log.push(`write ${ops.join(',')}`);
    if (log.length === 1) await new Promise<void>((r) => (release = r));
  });
  const a = q.submit([1]);
  await new Promise((r) => setImmediate(r));
  // Queued while the first write is in flight: 2 and 3 around a job, never merged across it.
  const b = q.submit([2]);
  const job = q.run(async () => {
    log.push('job');
    await new Promise((r) => setImmediate(r));
    log.push('job done');
  });
  const c = q.submit([3]);
  release();
  await Promise.all([a, b, job, c]);
  assert.deepEqual(log, ['write 1', 'write 2', 'job', 'job done', 'write 3']);

  // A failed job (an alert write on a full disk) fails what is queued behind it and what follows.
  const after = q.submit([4]);
  const failing = q.run(() => Promise.reject(new Error('No space left on device')));
  const behind = q.submit([5]);
  await after;
  await assert.rejects(failing, /No space left/);
  await assert.rejects(behind, /No space left/);
  await assert.rejects(q.submit([6]), /No space left/);
  await assert.rejects(
    q.run(async () => undefined),
    /No space left/
  );
  assert.match(String(q.failure), /No space left/);
  q.reset();
  await q.submit([7]);
  assert.deepEqual(log.slice(-2), ['write 4', 'write 7']);
});
