/**
 * A format-2 store (test/vectors/store/format-2/, written by commit cdc4f76) is migrated to the
 * current format: its tasks are numbered in the order format 2 restored them (key order), every
 * figure comes back, and a continuation gives exactly what that engine gave for it.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Level } from 'level';
import { type RunningEngine, startEngine } from '../daemon/start-engine.js';
import { readStoreFormat, STORE_FORMAT } from '../engine/store/store-format.js';
import { createScenario } from '../exporter/sim/index.js';
import { vectorPath } from './helpers/repo.js';

type Figures = Record<string, Record<string, string | number>> & { hostImaEntries: number };

function figures(engine: RunningEngine, ids: readonly string[]): Figures {
  const out: Record<string, unknown> = {};
  for (const id of ids) {
    const ns = engine.registry.require(id);
    out[id] = {
      mode: ns.mode,
      measurement: ns.measurement.toString('hex'),
      state: ns.state().toString('hex'),
      points: ns.pointCount,
      forensics: ns.forensics().length,
      trajectory: ns.trajectory().length,
      findings: ns.findingCount,
      untrusted: ns.untrustedTaskCount(),
      events: ns.eventCount,
      tasks: [...ns.taskEntries()].length,
      imaEntries: engine.ima!.namespace(id).log.entries.length,
    };
  }
  out['hostImaEntries'] = engine.ima!.host.log.entries.length;
  return out as Figures;
}

const events = (name: string, seed: number, iterations = 1) =>
  [...createScenario(name, { seed, iterations }).events()].map((obj) => ({ obj }));

test('a format-2 store is migrated (tasks numbered in key order) and resumes exactly', async () => {
  const expected = JSON.parse(readFileSync(vectorPath('store/format-2/expected.json'), 'utf8')) as {
    atRest: Figures;
    continued: Figures;
  };
  const dir = mkdtempSync(join(tmpdir(), 'tsem-format2-'));
  cpSync(vectorPath('store/format-2/store'), join(dir, 'store'), { recursive: true });
  const said: string[] = [];
  try {
    const engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      ima: { localFiles: false },
      daemonRegistry: false,
      log: (m) => said.push(m),
    });
    try {
      assert.ok(said.some((l) => /store: migrating format 2 to 3/.test(l)));
      assert.deepEqual(figures(engine, ['web', 'cron']), expected.atRest);
      // Format 2 restored tasks in key order: the migration recorded exactly that order.
      const keys = [...engine.registry.require('web').taskEntries()].map(([k]) => k);
      assert.deepEqual(keys, [...keys].sort());
      const origin = { host: 'release-host', exporter: 'sim' };
      await engine.submit('web', origin, events('nginx', 4));
      await engine.submit('web', origin, events('shadow-read', 5));
      await engine.submit('cron', origin, events('cron-backup', 6));
      assert.deepEqual(figures(engine, ['web', 'cron']), expected.continued);
    } finally {
      await engine.stop();
    }
    const db = new Level<string, unknown>(join(dir, 'store'), { valueEncoding: 'json' });
    await db.open();
    try {
      assert.equal(await readStoreFormat(db), STORE_FORMAT);
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
