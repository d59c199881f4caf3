/** Convergence windows by events or by time, and sealing after N quiet windows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventObject } from '../event/parse-json.js';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { Convergence, DEFAULT_SETTINGS } from './convergence.js';
import { createNamespaceConfig, NamespaceModel } from './namespace-model.js';

test('time windows: a window closes when engine time passes it; empty spans are quiet windows', () => {
  const c = new Convergence({ ...DEFAULT_SETTINGS, windowMs: 1000 });
  c.record(true, 10_000);
  c.record(true, 10_500);
  c.record(false, 11_200); // closes [10000, 11000)
  c.record(false, 14_100); // closes [11000, 12000), then [12000, 13000) and [13000, 14000) empty
  const f = c.figures();
  assert.deepEqual(
    f.map((w) => [w.startMs, w.endMs, w.events, w.newPoints]),
    [
      [10_000, 11_000, 2, 2],
      [11_000, 12_000, 1, 0],
      [12_000, 13_000, 0, 0],
      [13_000, 14_000, 0, 0],
      [14_000, undefined, 1, 0],
    ]
  );
  assert.equal(c.quietWindows, 3);
  assert.ok(c.settled(3));
  // The snapshot restores the same figures and settings.
  assert.deepEqual(Convergence.restore(c.snapshot()).figures(), f);
  assert.equal(Convergence.restore(c.snapshot()).settings.windowMs, 1000);
});

test('auto-seal: a learning namespace seals itself after N quiet windows, and only then', () => {
  const ns = new NamespaceModel(createNamespaceConfig({ id: 'a' }));
  ns.configureConvergence({ windowEvents: 10, autoSealAfter: 3, autoSealMode: 'enforce' });
  const ev = (path: string) =>
    parseEventObject(sourceEvent(1, 'file_open', { file: fileCell(path, '00'.repeat(32)) }), {
      digestSize: 32,
    });
  let sealedAt = -1;
  for (let i = 0; i < 100 && sealedAt < 0; i++) {
    ns.process(ev(`/f${i < 15 ? i : i % 15}`));
    if (ns.autoSealIfDue()) sealedAt = i;
  }
  // 15 new points in the first two windows; then three quiet windows of 10 events: event 49.
  assert.equal(sealedAt, 49);
  assert.equal(ns.mode, 'enforce');
  assert.equal(ns.autoSealIfDue(), undefined); // sealed already: nothing more to do
  // Audit mode never seals itself.
  const audit = new NamespaceModel(createNamespaceConfig({ id: 'b', mode: 'audit' }));
  audit.configureConvergence({ windowEvents: 1, autoSealAfter: 1, autoSealMode: 'sealed' });
  audit.process(ev('/x'));
  audit.process(ev('/x'));
  assert.equal(audit.autoSealIfDue(), undefined);
});
