/**
 * Decide from memory, persist behind: a held event is answered as soon as its verdict exists,
 * while the batch holding its effects is still being written; with durability `strict` only after
 * the write. Either way the acknowledgement follows the write. In process (feedSource) and remote
 * (the gRPC exporter: a BatchVerdicts ahead of the BatchResult). The store's writes are held at a
 * gate to make the order visible.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { type Durability, feedSource, type FedEvent } from '../../engine/feed-source.js';
import { type IngestCall, streamToIngest } from '../../exporter/grpc-exporter.js';
import { createScenario } from '../../exporter/sim/index.js';
import type { IngestResponse__Output } from '../../proto/gen/tsem/v1/IngestResponse.js';
import type { TsemEventJson } from '../../proto/kernel-json.js';
import { clients, toWire } from '../helpers/grpc.js';

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

const fileOpen = (n = 0) =>
  [...createScenario('nginx', { seed: 1, iterations: 1 }).events()].filter(
    (e: TsemEventJson) => e.event.type === 'file_open'
  )[n]!;

/**
 * Starts an engine whose writes of event batches wait at a gate, runs `drive` (which sends one
 * held event, noting in `order` when it is answered and acknowledged), and returns the order.
 */
async function gated(
  durability: Durability,
  drive: (engine: RunningEngine, order: string[]) => Promise<void>,
  answers = 1
): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-decided-'));
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    durability,
    daemonRegistry: false,
    log: () => undefined,
  });
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
    const driving = drive(engine, order);
    await until('the batch write', () => order.includes('write started'));
    if (durability === 'decided')
      await until(
        'the answers',
        () => order.filter((s) => s.startsWith('answered')).length >= answers
      );
    else await new Promise((r) => setTimeout(r, 200)); // it must not come while the write waits
    release();
    await driving;
    assert.equal(engine.registry.get('held')?.pointCount, answers);
    return order;
  } finally {
    release();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** In process: feedSource, as `serve --source fanotify --enforce` runs it. */
const inProcess = (durability: Durability) =>
  gated(durability, async (engine, order) => {
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
    src.push({
      namespace: 'held',
      event: fileOpen(),
      respond: (allow) => order.push(`answered ${allow ? 'allow' : 'deny'}`),
    });
    await until('the acknowledgement', () => order.some((s) => s.startsWith('acknowledged')));
    src.end();
    assert.equal((await feeding).events, 1);
  });

/** Remote: the gRPC exporter (`tsem export`), on a real stream. */
const remote = (durability: Durability) =>
  gated(durability, async (engine, order) => {
    const c = clients(engine.address);
    try {
      const call = c.ingest.Stream(c.meta) as unknown as IngestCall;
      // What the wire carries, in order.
      call.on('data', (m: IngestResponse__Output) => order.push(`wire ${m.msg}`));
      const stats = await streamToIngest(
        call,
        (async function* () {
          yield {
            namespace: 'held',
            event: fileOpen(),
            respond: (v) => order.push(`answered ${v.kind}`),
          };
        })(),
        { exporter: 'test', flushMs: 0, onAcked: (n) => order.push(`acknowledged ${n}`) }
      );
      assert.equal(stats.acked, 1);
    } finally {
      c.close();
    }
  });

test('decided, in process: a held event is answered from memory while its batch is being written', async () => {
  assert.deepEqual(await inProcess('decided'), [
    'answered allow',
    'write started',
    'written',
    'acknowledged learned',
  ]);
});

test('strict, in process: a held event is answered only once its batch is written', async () => {
  assert.deepEqual(await inProcess('strict'), [
    'write started',
    'written',
    'answered allow',
    'acknowledged learned',
  ]);
});

test('decided, in process: the next held event is decided while the previous one is still being written', async () => {
  const order = await gated(
    'decided',
    async (engine, order) => {
      const src = channel();
      const names = new Map<FedEvent, string>();
      const feeding = feedSource(
        src,
        engine.submit,
        { host: 'local', exporter: 'test' },
        { onOutcome: (_o, e) => order.push(`acknowledged ${names.get(e)}`) }
      );
      for (const name of ['A', 'B']) {
        const e: FedEvent = {
          namespace: 'held',
          event: fileOpen(names.size),
          respond: () => order.push(`answered ${name}`),
        };
        names.set(e, name);
        src.push(e);
        await until('the answer', () => order.includes(`answered ${name}`));
      }
      await until('both acknowledgements', () => order.filter((s) => /^ack/.test(s)).length === 2);
      src.end();
      await feeding;
    },
    2
  );
  // B is decided while A's write waits at the gate (one write behind at most); the writes and
  // the acknowledgements keep their order.
  assert.deepEqual(order, [
    'answered A',
    'write started',
    'answered B',
    'write started',
    'written',
    'acknowledged A',
    'written',
    'acknowledged B',
  ]);
});

test('decided, remote: a BatchVerdicts answers before the write, the BatchResult acknowledges after', async () => {
  assert.deepEqual(await remote('decided'), [
    'write started',
    'wire verdicts',
    'answered VERDICT_KIND_LEARNED',
    'written',
    'wire result',
    'acknowledged 1',
  ]);
});

test('strict, remote: no early verdicts; the BatchResult answers and acknowledges after the write', async () => {
  assert.deepEqual(await remote('strict'), [
    'write started',
    'written',
    'wire result',
    'answered VERDICT_KIND_LEARNED',
    'acknowledged 1',
  ]);
});

test('an old client (no early_verdicts) gets the BatchResult only, as before', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-decided-'));
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    daemonRegistry: false,
    log: () => undefined,
  });
  const c = clients(engine.address);
  try {
    const got = await new Promise<IngestResponse__Output[]>((resolve, reject) => {
      const stream = c.ingest.Stream(c.meta);
      const msgs: IngestResponse__Output[] = [];
      stream.on('data', (m: IngestResponse__Output) => msgs.push(m));
      stream.on('error', reject);
      stream.on('end', () => resolve(msgs));
      stream.write({ hello: { exporter: 'old', host: 'h' } });
      stream.write({ batch: { batch_id: '1', events: [toWire('held', fileOpen())] } });
      stream.end();
    });
    assert.deepEqual(
      got.map((m) => [m.msg, m.result?.verdicts.map((v) => v.kind)]),
      [['result', ['VERDICT_KIND_LEARNED']]]
    );
  } finally {
    c.close();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'remote: a batch holding a held event is sent at once whatever flushMs; events nobody waits for wait for it',
  { timeout: 30_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-decided-'));
    const engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      daemonRegistry: false,
      log: () => undefined,
    });
    const c = clients(engine.address);
    const wire: string[] = [];
    let answered!: (kind: string) => void;
    const answer = new Promise<string>((r) => (answered = r));
    let heldNow!: () => void;
    const held = new Promise<void>((r) => (heldNow = r));
    try {
      const call = c.ingest.Stream(c.meta) as unknown as IngestCall;
      call.on('data', (m: IngestResponse__Output) => wire.push(m.msg ?? ''));
      const exporting = streamToIngest(
        call,
        (async function* () {
          yield { namespace: 'bulk', event: fileOpen(0) };
          await held;
          yield { namespace: 'held', event: fileOpen(1), respond: (v) => answered(v.kind) };
          // The input stays open until the held event is answered: nothing else flushes it.
          await answer;
        })(),
        // An hour: only the held event can make the batch go.
        { exporter: 'test', flushMs: 3_600_000, signal: t.signal }
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(wire, [], 'an event nobody waits for waits for flushMs');
      assert.equal(engine.registry.get('bulk'), undefined);
      heldNow();
      assert.equal(await answer, 'VERDICT_KIND_LEARNED');
      const stats = await exporting;
      // It went with the event read before it, in one batch.
      assert.equal(stats.batches, 1);
      assert.equal(engine.registry.get('bulk')?.eventCount, 1);
      assert.equal(stats.acked, 2);
    } finally {
      c.close();
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
);
