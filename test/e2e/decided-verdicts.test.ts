/**
 * Decide from memory, persist behind: an in-process source's held event is answered as soon as
 * its verdict exists, while the batch holding its effects is still being written; with durability
 * `strict` only after the write. Either way the acknowledgement (the outcome) follows the write.
 * The store's writes are held at a gate to make the order visible.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEngine } from '../../daemon/start-engine.js';
import { type Durability, feedSource, type FedEvent } from '../../engine/feed-source.js';
import { createScenario } from '../../exporter/sim/index.js';
import type { TsemEventJson } from '../../proto/kernel-json.js';

/** A source that yields what is pushed, until ended. */
function channel() {
  const queue: FedEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  return {
    push(e: FedEvent) {
      queue.push(e);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<FedEvent> {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    },
  };
}

const until = async (what: string, cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
};

async function heldOpen(durability: Durability): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-decided-'));
  const engine = await startEngine({ listen: '127.0.0.1:0', dataDir: dir, log: () => undefined });
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const store = engine.store as unknown as { persist: (...a: unknown[]) => Promise<unknown> };
  const persist = store.persist.bind(store);
  // Only the batch holding the event's effects (the namespace's creation is written before).
  const holdsEvent = (a: unknown[]) =>
    ((a[1] as { trajectory?: unknown[] } | undefined)?.trajectory?.length ?? 0) > 0;
  store.persist = async (...a: unknown[]) => {
    if (!holdsEvent(a)) return persist(...a);
    order.push('write started');
    await gate;
    const r = await persist(...a);
    order.push('written');
    return r;
  };
  try {
    const event = [...createScenario('nginx', { seed: 1, iterations: 1 }).events()].find(
      (e: TsemEventJson) => e.event.type === 'file_open'
    )!;
    const src = channel();
    const feeding = feedSource(
      src,
      engine.submit,
      { host: 'local', exporter: 'test' },
      {
        durability,
        onOutcome: (o) => order.push(o.verdict ? `acknowledged ${o.verdict.kind}` : 'error'),
      }
    );
    let answer: boolean | undefined;
    src.push({
      namespace: 'held',
      event,
      respond: (allow) => {
        answer = allow;
        order.push(`answered ${allow ? 'allow' : 'deny'}`);
      },
    });
    await until('the batch write', () => order.includes('write started'));
    if (durability === 'decided') await until('the answer', () => answer !== undefined);
    else await new Promise((r) => setTimeout(r, 200)); // it must not come while the write waits
    release();
    await until('the acknowledgement', () => order.some((s) => s.startsWith('acknowledged')));
    src.end();
    const stats = await feeding;
    assert.equal(stats.events, 1);
    assert.equal(engine.registry.get('held')?.pointCount, 1);
    return order;
  } finally {
    release();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('decided: a held event is answered from memory while its batch is still being written', async () => {
  assert.deepEqual(await heldOpen('decided'), [
    'answered allow',
    'write started',
    'written',
    'acknowledged learned',
  ]);
});

test('strict: a held event is answered only once its batch is written', async () => {
  assert.deepEqual(await heldOpen('strict'), [
    'write started',
    'written',
    'answered allow',
    'acknowledged learned',
  ]);
});
