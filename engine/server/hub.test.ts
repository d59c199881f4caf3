import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { Pipeline } from '../ns/pipeline.js';
import { NamespaceRegistry } from '../ns/registry.js';
import { type Delivery, Hub } from './hub.js';

const D = (n: number) => n.toString(16).padStart(64, '0');
const events = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    obj: sourceEvent(10, 'file_open', { file: fileCell(`/f/${from + i}`, D(from + i)) }),
  }));

function setup(history: number) {
  const registry = new NamespaceRegistry(undefined, {
    digest: 'sha256',
    dialect: 'tsem-6.12',
    aggregate: () => Buffer.alloc(32),
    autoCreate: true,
  });
  const hub = new Hub((ns) => registry.get(ns)?.eventCount, history);
  const p = new Pipeline(
    registry,
    (ns, o, out) => hub.publish(ns, o, out),
    () => undefined
  );
  return { hub, p, origin: { host: 'h', exporter: 'x' } };
}

async function take(sub: { next(): Promise<Delivery | undefined> }, n: number) {
  const out: Delivery[] = [];
  for (let i = 0; i < n; i++) out.push((await sub.next())!);
  return out;
}

const describe = (d: Delivery) =>
  'notice' in d
    ? `${d.notice.namespace}#${d.notice.verdict!.seq}`
    : 'gap' in d
      ? `gap ${d.gap.namespace} ${d.gap.first}-${d.gap.last}`
      : `dropped ${d.dropped.cause} ${d.dropped.count}`;

test('a resuming subscriber gets what the history holds after its point, then a gap for the rest', async () => {
  const { hub, p, origin } = setup(5);
  try {
    await p.submit('a', origin, events(0, 8));
    await p.submit('b', origin, events(100, 1));
    // History (5): a#5..a#8, b#1. Resume a after 2: a#3 and a#4 are gone, a#5.. are held.
    const sub = hub.subscribe(() => true, {
      resume: new Map([
        ['a', 2],
        ['b', 1],
        ['c', 0],
      ]),
    });
    assert.deepEqual((await take(sub, 5)).map(describe), ['gap a 3-4', 'a#5', 'a#6', 'a#7', 'a#8']);
    // b: nothing missed; c does not exist: nothing to say. Then live events.
    await p.submit('a', origin, events(50, 1));
    assert.deepEqual((await take(sub, 1)).map(describe), ['a#9']);
    // A namespace the subscriber may not see gets no gap (nor replay).
    const limited = hub.subscribe(() => true, {
      resume: new Map([['a', 0]]),
      maySee: (ns) => ns !== 'a',
    });
    await p.submit('b', origin, events(200, 1));
    assert.deepEqual((await take(limited, 1)).map(describe), ['b#2']);
  } finally {
    p.close();
  }
});

test('after a restart (empty history) the whole missed range is one gap', async () => {
  const { hub, p, origin } = setup(0);
  try {
    await p.submit('a', origin, events(0, 10));
    const sub = hub.subscribe(() => true, { resume: new Map([['a', 4]]) });
    assert.deepEqual((await take(sub, 1)).map(describe), ['gap a 5-10']);
  } finally {
    p.close();
  }
});

test('source drops are counted by cause and origin and told in-band, subscriber drops too', async () => {
  const { hub, p, origin } = setup(10);
  try {
    const sub = hub.subscribe(() => true, { maxQueue: 1 });
    const blind = hub.subscribe(() => true, { sourceDrops: false });
    hub.reportSourceDrops(
      { host: 'h1', exporter: 'audit' },
      { 'kernel-lost': 3, 'source-queue': 0 }
    );
    hub.reportSourceDrops({ host: 'h1', exporter: 'audit' }, { 'kernel-lost': 2 });
    await p.submit('a', origin, events(0, 3));
    const got = await take(sub, 3);
    assert.deepEqual(got.map(describe), [
      'dropped subscriber-queue 2',
      'dropped kernel-lost 5',
      'a#1',
    ]);
    assert.deepEqual(
      [...hub.counters.sourceDropped.values()],
      [{ cause: 'kernel-lost', count: 5, host: 'h1', exporter: 'audit' }]
    );
    assert.equal(hub.subscriberDropped(), 2);
    assert.deepEqual((await take(blind, 1)).map(describe), ['a#1']);
  } finally {
    p.close();
  }
});
