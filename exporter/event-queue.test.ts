import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TsemEventJson } from '../proto/kernel-json.js';
import { EventQueue } from './event-queue.js';

const ev = (n: number) => ({
  namespace: 'host',
  event: { event: { process: 'p', type: `t${n}` } } as unknown as TsemEventJson,
});

test('queue delivers in order, drops notifications beyond its bound, never held events', async () => {
  const q = new EventQueue(2);
  q.push(ev(1));
  q.push(ev(2));
  q.push(ev(3));
  q.push({ ...ev(4), respond: () => undefined });
  q.end();
  const got: string[] = [];
  for await (const e of q) got.push(e.event.event.type);
  assert.deepEqual(got, ['t1', 't2', 't4']);
  assert.equal(q.dropped, 1);
});

test('a waiting consumer is woken by push and by end; pushWhenRoom waits for room', async () => {
  const q = new EventQueue(1);
  const it = q[Symbol.asyncIterator]();
  const first = it.next();
  q.push(ev(1));
  assert.equal((await first).value?.event.event.type, 't1');
  q.push(ev(2));
  let pushed = false;
  const p = q.pushWhenRoom(ev(3)).then(() => (pushed = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(pushed, false);
  assert.equal((await it.next()).value?.event.event.type, 't2');
  await p;
  assert.equal((await it.next()).value?.event.event.type, 't3');
  const last = it.next();
  q.end();
  assert.equal((await last).done, true);
});
