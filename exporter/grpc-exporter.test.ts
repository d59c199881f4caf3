import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { IngestRequest } from '../proto/gen/tsem/v1/IngestRequest.js';
import type { Verdict__Output } from '../proto/gen/tsem/v1/Verdict.js';
import {
  type ExportItem,
  ExportError,
  exportToIngest,
  formatExportSummary,
  type IngestCall,
  streamToIngest,
} from './grpc-exporter.js';
import { EventQueue } from './event-queue.js';

/** A fake Ingest call: records what the exporter writes; the test decides when results come. */
class FakeCall extends EventEmitter implements IngestCall {
  readonly written: IngestRequest[] = [];
  ended = false;
  cancelled = false;
  maxInFlight = 0;
  private acked = 0;
  /** When set, each batch is answered on the next tick with `verdictFor(seq)`. */
  auto: ((seq: number) => Verdict__Output) | undefined;
  private seq = 0;

  write(msg: IngestRequest): boolean {
    this.written.push(msg);
    this.maxInFlight = Math.max(this.maxInFlight, this.batches().length - this.acked);
    if (msg.batch && this.auto) {
      const b = msg.batch;
      setImmediate(() => this.answer(b));
    }
    return true;
  }
  end(): void {
    this.ended = true;
    if (this.auto) setImmediate(() => this.emit('end'));
  }
  cancel(): void {
    this.cancelled = true;
  }
  batches(): NonNullable<IngestRequest['batch']>[] {
    return this.written.flatMap((m) => (m.batch ? [m.batch] : []));
  }
  answer(b: NonNullable<IngestRequest['batch']>, verdicts?: Verdict__Output[]): void {
    this.acked++;
    const vs = verdicts ?? (b.events ?? []).map(() => this.auto!(this.seq++));
    this.emit('data', { msg: 'result', result: { batch_id: String(b.batch_id), verdicts: vs } });
  }
}

function verdict(
  kind: Verdict__Output['kind'],
  seq: number,
  action: Verdict__Output['action'] = 'ACTION_ALLOW'
): Verdict__Output {
  return {
    kind,
    action,
    coefficient: Buffer.alloc(0),
    task_id: Buffer.alloc(0),
    seq: String(seq),
    error: kind === 'VERDICT_KIND_ERROR' ? `bad ${seq}` : '',
    cacheable: false,
  };
}

const KINDS: Verdict__Output['kind'][] = [
  'VERDICT_KIND_LEARNED',
  'VERDICT_KIND_ON_CONTOUR',
  'VERDICT_KIND_OFF_CONTOUR',
  'VERDICT_KIND_ERROR',
];
const byIndex = (seq: number): Verdict__Output =>
  verdict(KINDS[seq % 4]!, seq, seq % 4 === 2 ? 'ACTION_DENY' : 'ACTION_ALLOW');

function rawItems(n: number, respond?: (i: number, v: Verdict__Output) => void): ExportItem[] {
  return Array.from({ length: n }, (_, i) => ({
    namespace: i % 2 ? 'b' : 'a',
    event: Buffer.from(`{"line": ${i}}`),
    respond: respond && ((v: Verdict__Output) => respond(i, v)),
  }));
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

test('hello first, then batches of at most batchSize with increasing ids, then end', async () => {
  const call = new FakeCall();
  call.auto = byIndex;
  const stats = await streamToIngest(call, fromArray(rawItems(1100)), {
    exporter: 'test',
    host: 'h1',
    batchSize: 512,
  });
  assert.deepEqual(call.written[0], { hello: { exporter: 'test', host: 'h1' } });
  const batches = call.batches();
  assert.deepEqual(
    batches.map((b) => b.events?.length),
    [512, 512, 76]
  );
  assert.deepEqual(
    batches.map((b) => b.batch_id),
    ['1', '2', '3']
  );
  assert.deepEqual(batches[0]!.events![1], {
    namespace: 'b',
    kernel_json: Buffer.from('{"line": 1}'),
  });
  assert.equal(call.ended, true);
  assert.equal(stats.sent, 1100);
  assert.equal(stats.acked, 1100);
  assert.equal(stats.batches, 3);
});

test('each event gets its own verdict, in input order, and the stats count kinds', async () => {
  const call = new FakeCall();
  call.auto = byIndex;
  const got: [number, string][] = [];
  const stats = await streamToIngest(
    call,
    fromArray(rawItems(10, (i, v) => got.push([i, v.seq]))),
    { exporter: 't', batchSize: 3 }
  );
  assert.deepEqual(
    got,
    Array.from({ length: 10 }, (_, i) => [i, String(i)])
  );
  // Kinds cycle LEARNED, ON_CONTOUR, OFF_CONTOUR (deny), ERROR over 10 events: 3, 3, 2, 2.
  assert.deepEqual(stats.kinds, {
    VERDICT_KIND_LEARNED: 3,
    VERDICT_KIND_ON_CONTOUR: 3,
    VERDICT_KIND_OFF_CONTOUR: 2,
    VERDICT_KIND_ERROR: 2,
  });
  assert.equal(stats.denied, 2);
  assert.equal(stats.errors, 2);
  assert.deepEqual(stats.errorSamples, ['event 3: bad 3', 'event 7: bad 7']);
  assert.equal(
    formatExportSummary(stats),
    'sent 10 acked 10 learned 3 on-contour 3 off-contour 2 denied 2 errors 2 duplicates 0'
  );
});

test('no more than `window` batches are ever unacknowledged', async () => {
  const call = new FakeCall();
  const done = streamToIngest(call, fromArray(rawItems(100)), {
    exporter: 't',
    batchSize: 10,
    window: 3,
  });
  // Answer batches one at a time, slowly, and check the exporter waited for each slot.
  for (let answered = 0; answered < 10;) {
    await new Promise((r) => setTimeout(r, 2));
    const batches = call.batches();
    assert.ok(batches.length - answered <= 3, `${batches.length - answered} batches in flight`);
    if (batches.length > answered)
      call.answer(
        batches[answered++]!,
        Array.from({ length: 10 }, (_, i) => verdict('VERDICT_KIND_LEARNED', i))
      );
  }
  call.emit('end');
  const stats = await done;
  assert.equal(call.maxInFlight, 3);
  assert.equal(stats.acked, 100);
});

test('a partial batch is flushed flushMs after its first event while the input is idle', async () => {
  const call = new FakeCall();
  call.auto = byIndex;
  let release!: () => void;
  const idle = new Promise<void>((r) => (release = r));
  const seen: number[] = [];
  async function* input(): AsyncGenerator<ExportItem> {
    yield* rawItems(3, (i) => seen.push(i));
    await idle;
  }
  const done = streamToIngest(call, input(), { exporter: 't', batchSize: 100, flushMs: 5 });
  while (seen.length < 3) await new Promise((r) => setTimeout(r, 2));
  assert.deepEqual(
    call.batches().map((b) => b.events?.length),
    [3]
  );
  assert.equal(call.ended, false);
  release();
  const stats = await done;
  assert.equal(stats.acked, 3);
});

test('a stream error rejects with its details and the stats so far', async () => {
  const call = new FakeCall();
  const done = streamToIngest(call, fromArray(rawItems(30)), {
    exporter: 't',
    batchSize: 10,
    window: 2,
  });
  await new Promise((r) => setTimeout(r, 5));
  call.answer(
    call.batches()[0]!,
    Array.from({ length: 10 }, (_, i) => verdict('VERDICT_KIND_LEARNED', i))
  );
  call.emit(
    'error',
    Object.assign(new Error('14 UNAVAILABLE: gone'), { code: 14, details: 'gone' })
  );
  await assert.rejects(done, (e: unknown) => {
    assert.ok(e instanceof ExportError);
    assert.equal(e.message, 'the Ingest stream failed: gone');
    assert.equal(e.stats.acked, 10);
    assert.equal((e.cause as { code: number }).code, 14);
    return true;
  });
  assert.equal(call.cancelled, true);
});

const PROTOCOL: Record<string, [(call: FakeCall) => void, RegExp]> = {
  'a result for the wrong batch': [
    (c) => c.emit('data', { result: { batch_id: '2', verdicts: [] } }),
    /expected the BatchResult of batch 1 .*got batch 2/,
  ],
  'a verdict count that differs': [
    (c) => c.answer(c.batches()[0]!, [verdict('VERDICT_KIND_LEARNED', 0)]),
    /batch 1: expected 5 verdicts, got 1/,
  ],
  'a response without a result': [(c) => c.emit('data', {}), /without a BatchResult/],
  'the server ending the stream early': [
    (c) => c.emit('end'),
    /closed the Ingest stream early \(5 event\(s\) unacknowledged\)/,
  ],
};

for (const [name, [act, message]] of Object.entries(PROTOCOL)) {
  test(`rejects ${name}`, async () => {
    const call = new FakeCall();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    async function* input(): AsyncGenerator<ExportItem> {
      yield* rawItems(5);
      await held;
    }
    const done = streamToIngest(call, input(), { exporter: 't', batchSize: 5 });
    await new Promise((r) => setTimeout(r, 5));
    act(call);
    await assert.rejects(done, message);
    release();
  });
}

test('an invalid input event rejects naming its position', async () => {
  const call = new FakeCall();
  call.auto = byIndex;
  const items: ExportItem[] = [...rawItems(2), { namespace: 'a', event: { COE: {} } as never }];
  await assert.rejects(
    streamToIngest(call, fromArray(items), { exporter: 't' }),
    /input event 2: event: expected an object with an "event" header/
  );
});

test('abort ends the input early; what was read is still acknowledged', async () => {
  const call = new FakeCall();
  call.auto = byIndex;
  const ac = new AbortController();
  async function* endless(): AsyncGenerator<ExportItem> {
    for (let i = 0; ; i++) {
      if (i === 7) setImmediate(() => ac.abort());
      if (i >= 7) await new Promise((r) => setTimeout(r, 50));
      yield { namespace: 'a', event: Buffer.from(String(i)) };
    }
  }
  const stats = await streamToIngest(call, endless(), { exporter: 't', signal: ac.signal });
  assert.equal(stats.sent, stats.acked);
  assert.ok(stats.sent >= 7 && stats.sent <= 8, `sent ${stats.sent}`);
});

test('rate paces events: 30 events at 1000/s take at least 29 ms', async () => {
  const call = new FakeCall();
  call.auto = byIndex;
  const t0 = performance.now();
  const stats = await streamToIngest(call, fromArray(rawItems(30)), { exporter: 't', rate: 1000 });
  assert.ok(performance.now() - t0 >= 28, `took ${performance.now() - t0} ms`);
  assert.equal(stats.acked, 30);
});

test('bad options are programmer errors (RangeError)', () => {
  const call = new FakeCall();
  assert.throws(
    () => streamToIngest(call, fromArray([]), { exporter: 't', batchSize: 4097 }),
    RangeError
  );
  assert.throws(
    () => streamToIngest(call, fromArray([]), { exporter: 't', batchSize: 0 }),
    RangeError
  );
  assert.throws(() => streamToIngest(call, fromArray([]), { exporter: 't', rate: 0 }), RangeError);
});

test('a lost stream is replaced; unacknowledged batches go again with the same numbers', async () => {
  const calls: FakeCall[] = [];
  const open = () => {
    const c = new FakeCall();
    // The first stream acknowledges one batch, then the engine goes away.
    if (calls.length > 0) c.auto = byIndex;
    calls.push(c);
    return c;
  };
  const retries: string[] = [];
  const acked: number[] = [];
  const done = exportToIngest(open, fromArray(rawItems(30)), {
    exporter: 't',
    batchSize: 10,
    window: 3,
    retryForMs: 10_000,
    onRetry: (m) => retries.push(m),
    onAcked: (n) => acked.push(n),
    identity: { exporterId: 'x-1', session: 's-1', firstSeq: 101 },
    drops: () => ({ 'kernel-lost': 4 }),
  });
  await new Promise((r) => setTimeout(r, 10));
  const [first] = calls;
  first!.answer(
    first!.batches()[0]!,
    Array.from({ length: 10 }, (_, i) => verdict('VERDICT_KIND_LEARNED', i))
  );
  first!.emit(
    'error',
    Object.assign(new Error('14 UNAVAILABLE: gone'), { code: 14, details: 'gone' })
  );
  const stats = await done;
  assert.equal(stats.acked, 30);
  assert.equal(stats.sent, 30);
  assert.equal(calls.length, 2);
  assert.match(retries[0]!, /gone; reconnecting in 0\.3 s \(20 event\(s\) to send again\)/);
  // The new stream says hello with the same identity and carries the batches not acknowledged.
  const again = calls[1]!;
  assert.deepEqual(again.written[0]!.hello, {
    exporter: 't',
    host: again.written[0]!.hello!.host,
    exporter_id: 'x-1',
    session: 's-1',
  });
  const firstSeqs = (c: FakeCall) => c.batches().map((b) => b.first_seq);
  assert.deepEqual(firstSeqs(first!).slice(0, 3), ['101', '111', '121']);
  assert.deepEqual(firstSeqs(again).slice(0, 2), ['111', '121']);
  // Drops went once, with the first batch; never again on the new stream.
  assert.deepEqual(first!.batches()[0]!.drops, [{ cause: 'kernel-lost', count: '4' }]);
  assert.ok(again.batches().every((b) => (b.drops ?? []).length === 0));
  assert.equal(acked.at(-1), 30);
});

test('a stream that keeps failing ends the export once the retry window is over', async () => {
  const open = () => {
    const c = new FakeCall();
    setImmediate(() =>
      c.emit(
        'error',
        Object.assign(new Error('14 UNAVAILABLE: down'), { code: 14, details: 'down' })
      )
    );
    return c;
  };
  const t0 = Date.now();
  await assert.rejects(
    exportToIngest(open, fromArray(rawItems(3)), { exporter: 't', retryForMs: 1000 }),
    (e: unknown) => e instanceof ExportError && /down/.test(e.message)
  );
  assert.ok(Date.now() - t0 < 5000);
});

test('a refusal no new stream can cure (permission) ends the export at once', async () => {
  let opened = 0;
  const open = () => {
    opened++;
    const c = new FakeCall();
    setImmediate(() =>
      c.emit(
        'error',
        Object.assign(new Error('7 PERMISSION_DENIED: no'), { code: 7, details: 'no' })
      )
    );
    return c;
  };
  await assert.rejects(
    exportToIngest(open, fromArray(rawItems(3)), { exporter: 't', retryForMs: 60_000 }),
    /no/
  );
  assert.equal(opened, 1);
});

test('early verdicts: held events are answered once, at the BatchVerdicts; only the BatchResult acknowledges', async () => {
  const calls: FakeCall[] = [];
  const open = () => {
    const c = new FakeCall();
    calls.push(c);
    return c;
  };
  const answers: string[] = [];
  const acked: number[] = [];
  // Events 0–3 are held (they want their verdict), 4–7 are not.
  const items = rawItems(8).map((it, i) =>
    i < 4 ? { ...it, respond: (v: Verdict__Output) => answers.push(`${i} ${v.kind}`) } : it
  );
  const done = exportToIngest(open, fromArray(items), {
    exporter: 't',
    batchSize: 4,
    window: 2,
    retryForMs: 10_000,
    onAcked: (n) => acked.push(n),
  });
  await new Promise((r) => setTimeout(r, 10));
  const [first] = calls;
  const [held, plain] = first!.batches();
  assert.equal(held!.early_verdicts, true, 'a batch with held events asks for early verdicts');
  assert.equal(plain!.early_verdicts, false, 'one without does not');
  const decided = (kind: Verdict__Output['kind'], n: number) =>
    Array.from({ length: n }, (_, i) => verdict(kind, i));
  first!.emit('data', {
    msg: 'verdicts',
    verdicts: { batch_id: held!.batch_id, verdicts: decided('VERDICT_KIND_LEARNED', 4) },
  });
  assert.deepEqual(
    answers,
    [0, 1, 2, 3].map((i) => `${i} VERDICT_KIND_LEARNED`)
  );
  assert.deepEqual(acked, [], 'a decision is not an acknowledgement');
  // The engine goes away before acknowledging: both batches go again on a new stream, and the
  // held events are not answered a second time (their decision stands).
  first!.emit('error', Object.assign(new Error('14 UNAVAILABLE: gone'), { code: 14 }));
  await new Promise((r) => setTimeout(r, 400));
  const again = calls[1]!;
  assert.deepEqual(
    again.batches().map((b) => b.batch_id),
    [held!.batch_id, plain!.batch_id]
  );
  for (const b of again.batches()) again.answer(b, decided('VERDICT_KIND_DUPLICATE', 4));
  again.emit('end');
  const stats = await done;
  assert.equal(answers.length, 4);
  assert.equal(stats.acked, 8);
  assert.equal(stats.duplicates, 8);
  assert.deepEqual(acked, [4, 8]);
});

test('early verdicts: a BatchVerdicts for a batch not in flight, or of the wrong size, fails the stream', async () => {
  for (const [batchId, n, why] of [
    ['9', 2, /batch 9, which is not in flight/],
    ['1', 3, /expected 2 verdicts, got 3/],
  ] as const) {
    const call = new FakeCall();
    const done = streamToIngest(call, fromArray(rawItems(2, () => undefined)), {
      exporter: 't',
      flushMs: 0,
    });
    await new Promise((r) => setTimeout(r, 10));
    call.emit('data', {
      msg: 'verdicts',
      verdicts: {
        batch_id: batchId,
        verdicts: Array.from({ length: n }, (_, i) => verdict('VERDICT_KIND_LEARNED', i)),
      },
    });
    await assert.rejects(done, why);
  }
});

/** Resolves once `cond()` holds, checking on every turn of the event loop; no time bound here:
 * the test's own timeout fails a wait that never ends, and aborts `signal` so it stops. */
async function until(signal: AbortSignal, cond: () => boolean): Promise<void> {
  while (!cond()) {
    signal.throwIfAborted();
    await new Promise((r) => setImmediate(r));
  }
}

const AN_HOUR = 3_600_000;

test(
  'a batch holding a held event goes at once, with what was read before it; unheld events wait for flushMs',
  { timeout: 20_000 },
  async (t) => {
    const call = new FakeCall();
    call.auto = byIndex;
    const gates = [0, 1, 2].map(() => {
      let open!: () => void;
      const p = new Promise<void>((r) => (open = r));
      return { p, open };
    });
    const answered: number[] = [];
    const [a, b, held, c] = rawItems(4);
    async function* input(): AsyncGenerator<ExportItem> {
      yield a!;
      yield b!;
      await gates[0]!.p;
      yield { ...held!, respond: () => answered.push(2) };
      await gates[1]!.p;
      yield c!;
      await gates[2]!.p;
    }
    const done = streamToIngest(call, input(), {
      exporter: 't',
      batchSize: 100,
      flushMs: AN_HOUR,
      signal: t.signal,
    });
    // Two unheld events: nothing is sent for an hour (the test would end first).
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(call.batches().length, 0, 'unheld events wait for flushMs');
    gates[0]!.open();
    await until(t.signal, () => answered.length === 1);
    const [first] = call.batches();
    assert.equal(call.batches().length, 1);
    assert.equal(first!.early_verdicts, true);
    assert.deepEqual(
      first!.events!.map((e) => String(e.kernel_json)),
      ['{"line": 0}', '{"line": 1}', '{"line": 2}']
    );
    // The next unheld event waits again.
    gates[1]!.open();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(call.batches().length, 1, 'an unheld event after it waits for flushMs');
    gates[2]!.open();
    const stats = await done;
    assert.deepEqual(
      call.batches().map((x) => x.events?.length),
      [3, 1]
    );
    assert.equal(stats.acked, 4);
    assert.deepEqual(answered, [2], 'answered once');
  }
);

test(
  'held events a source had queued go in one batch, not one batch each',
  { timeout: 20_000 },
  async (t) => {
    const call = new FakeCall();
    call.auto = byIndex;
    const queue = new EventQueue();
    const answered: number[] = [];
    // A burst: five held opens queued by the source before the exporter reads any.
    for (let i = 0; i < 5; i++)
      queue.push({
        namespace: `ns${i}`,
        event: {} as never,
        respond: () => answered.push(i),
      });
    // The CLI's mapping (cli/commands/export.ts): an async generator over the source.
    async function* input(): AsyncGenerator<ExportItem> {
      for await (const ev of queue)
        yield {
          namespace: ev.namespace,
          event: Buffer.from(`{"n":"${ev.namespace}"}`),
          respond: () => ev.respond?.(true),
        };
    }
    const done = streamToIngest(call, input(), {
      exporter: 't',
      batchSize: 100,
      flushMs: AN_HOUR,
      signal: t.signal,
    });
    await until(t.signal, () => answered.length === 5);
    assert.deepEqual(
      call.batches().map((b) => b.events?.length),
      [5]
    );
    queue.end();
    const stats = await done;
    assert.equal(stats.acked, 5);
    assert.deepEqual(answered, [0, 1, 2, 3, 4]);
  }
);

test(
  'a held event behind a full window waits for an acknowledgement, not for an early verdict',
  { timeout: 20_000 },
  async (t) => {
    const call = new FakeCall();
    const answered: string[] = [];
    let release!: () => void;
    const idle = new Promise<void>((r) => (release = r));
    let next!: () => void;
    const second = new Promise<void>((r) => (next = r));
    const [x, y] = rawItems(2);
    async function* input(): AsyncGenerator<ExportItem> {
      yield { ...x!, respond: (v) => answered.push(`0 ${v.kind}`) };
      await second;
      yield { ...y!, respond: (v) => answered.push(`1 ${v.kind}`) };
      await idle;
    }
    const done = streamToIngest(call, input(), {
      exporter: 't',
      batchSize: 100,
      window: 1,
      flushMs: AN_HOUR,
      signal: t.signal,
    });
    await until(t.signal, () => call.batches().length === 1);
    const [b1] = call.batches();
    call.emit('data', {
      msg: 'verdicts',
      verdicts: { batch_id: b1!.batch_id, verdicts: [verdict('VERDICT_KIND_LEARNED', 0)] },
    });
    assert.deepEqual(answered, ['0 VERDICT_KIND_LEARNED']);
    next();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(call.batches().length, 1, 'a decision does not free the window');
    call.answer(b1!, [verdict('VERDICT_KIND_LEARNED', 0)]);
    await until(t.signal, () => call.batches().length === 2);
    const b2 = call.batches()[1]!;
    assert.equal(b2.early_verdicts, true);
    call.answer(b2, [verdict('VERDICT_KIND_ON_CONTOUR', 1)]);
    await until(t.signal, () => answered.length === 2);
    assert.deepEqual(answered, ['0 VERDICT_KIND_LEARNED', '1 VERDICT_KIND_ON_CONTOUR']);
    release();
    await until(t.signal, () => call.ended);
    call.emit('end');
    const stats = await done;
    assert.equal(stats.acked, 2);
  }
);

test('verdict cache: the hello asks for it; DecisionsChanged and every new stream empty the cache; allows decided before the newest change heard are not remembered', async () => {
  const calls: FakeCall[] = [];
  const open = () => {
    const c = new FakeCall();
    calls.push(c);
    return c;
  };
  let forgotten = 0;
  const answers: [number, boolean][] = [];
  const items = rawItems(4).map((it, i) => ({
    ...it,
    respond: (v: Verdict__Output, remember: boolean) => answers.push([i, remember]),
  }));
  const done = exportToIngest(open, fromArray(items), {
    exporter: 't',
    batchSize: 2,
    window: 2,
    retryForMs: 10_000,
    verdictCache: () => forgotten++,
  });
  await new Promise((r) => setTimeout(r, 10));
  const first = calls[0]!;
  assert.equal(first.written[0]!.hello?.verdict_cache, true);
  assert.equal(forgotten, 1, 'a new stream starts with an empty cache');
  const [b1, b2] = first.batches();
  const cacheable = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      ...verdict('VERDICT_KIND_ON_CONTOUR', i),
      cacheable: true,
    }));
  first.emit('data', {
    msg: 'decisions_changed',
    decisions_changed: { namespace: 'a', epoch: '5' },
  });
  assert.equal(forgotten, 2);
  // Decided under epoch 4: a change (5) came after, so it is given but not remembered.
  first.emit('data', {
    msg: 'verdicts',
    verdicts: { batch_id: b1!.batch_id, verdicts: cacheable(2), decided_epoch: '4' },
  });
  // Decided under epoch 5: remembered.
  first.emit('data', {
    msg: 'verdicts',
    verdicts: { batch_id: b2!.batch_id, verdicts: cacheable(2), decided_epoch: '5' },
  });
  assert.deepEqual(answers, [
    [0, false],
    [1, false],
    [2, true],
    [3, true],
  ]);
  // The stream is lost: the cache is emptied at once, and again on the new stream.
  first.emit('error', Object.assign(new Error('14 UNAVAILABLE: gone'), { code: 14 }));
  assert.equal(forgotten, 3);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(forgotten, 4);
  const again = calls[1]!;
  for (const b of again.batches()) again.answer(b, cacheable(2));
  again.emit('end');
  await done;
});

test('verdict cache: a DecisionsChanged the exporter did not ask for fails the stream', async () => {
  const call = new FakeCall();
  const done = streamToIngest(call, fromArray(rawItems(1)), { exporter: 't' });
  await new Promise((r) => setTimeout(r, 10));
  call.emit('data', { msg: 'decisions_changed', decisions_changed: { namespace: '', epoch: '1' } });
  await assert.rejects(done, /DecisionsChanged, which this exporter did not ask for/);
});
