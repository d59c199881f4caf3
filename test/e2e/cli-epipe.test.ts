/** A `tsem` whose stdout reader goes away (`tsem ns points NS | head`) ends quietly. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { type CliEngine, startCliEngine } from '../helpers/cli-engine.js';
import { spawnTsem } from '../helpers/tsem-process.js';

let e: CliEngine;
before(async () => {
  e = await startCliEngine();
  // Enough points that the listing outgrows a pipe buffer (64 KiB) many times over.
  const events = Array.from({ length: 4000 }, (_, i) => ({
    obj: sourceEvent(100, 'file_open', { file: fileCell(`/f/${i}`, '00'.repeat(32)) }),
  }));
  await e.engine.submit('many', { host: 'h', exporter: 'test' }, events);
});
after(() => e.close());

test('stdout closed by its reader: exit 0, nothing on stderr (no EPIPE stack)', async () => {
  const p = spawnTsem(['ns', 'points', 'many', ...e.conn]);
  await p.waitFor(/\n/, 20_000, 'out');
  p.child.stdout!.destroy();
  const { code, signal } = await p.exited;
  assert.equal(p.err(), '');
  assert.deepEqual({ code, signal }, { code: 0, signal: null });
});
