import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { type IncomingEvent, Pipeline } from './pipeline.js';
import { NamespaceRegistry } from './registry.js';

const D = (n: number) => n.toString(16).padStart(64, '0');
const ev = (n: number): IncomingEvent => ({
  obj: sourceEvent(10, 'file_open', { file: fileCell(`/f/${n}`, D(n)) }),
});

test('numbered events are applied once: a resent batch, even re-cut, is answered duplicate', async () => {
  const registry = new NamespaceRegistry(undefined, {
    digest: 'sha256',
    dialect: 'tsem-6.12',
    aggregate: () => Buffer.alloc(32),
    autoCreate: true,
  });
  const p = new Pipeline(
    registry,
    () => undefined,
    () => undefined
  );
  const origin = { host: 'h', exporter: 'file' };
  const pos = (first: number, n: number, session = 's1') => ({
    exporter: 'exp-1',
    session,
    seqs: Array.from({ length: n }, (_, i) => first + i),
  });
  try {
    const a = await p.submit('ns', origin, [1, 2, 3, 4].map(ev), pos(1, 4));
    assert.ok(a.every((o) => o.verdict));
    // The retry after a lost acknowledgement, cut differently: 3..6, of which 3 and 4 are applied.
    const b = await p.submit('ns', origin, [3, 4, 5, 6].map(ev), pos(3, 4));
    assert.deepEqual(
      b.map((o) => ('duplicate' in o ? 'dup' : o.verdict?.kind)),
      ['dup', 'dup', 'learned', 'learned']
    );
    const ns = registry.require('ns');
    assert.equal(ns.eventCount, 6, 'every event counted once');
    assert.equal(ns.ingest.get('exp-1', 's1')?.seq, 6);
    // A new session of the same exporter starts its numbering again; the old one is still known.
    const c = await p.submit('ns', origin, [7].map(ev), pos(1, 1, 's2'));
    assert.ok(c[0]!.verdict);
    const d = await p.submit('ns', origin, [6].map(ev), pos(6, 1));
    assert.ok('duplicate' in d[0]!);
    // Unnumbered events are never de-duplicated.
    await p.submit('ns', origin, [8, 8].map(ev));
    assert.equal(ns.eventCount, 9);
  } finally {
    p.close();
  }
});
