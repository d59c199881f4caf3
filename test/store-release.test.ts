/**
 * A store written by release 0.1.0 (test/vectors/store/v0.1.0/) opens in this engine: it is
 * migrated to the current format, and every namespace and IMA log comes back with the figures
 * that release reported; the engine then goes on where the release stopped.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Level } from 'level';
import { startEngine } from '../daemon/start-engine.js';
import { readStoreFormat, STORE_FORMAT } from '../engine/store/store-format.js';
import { createScenario } from '../exporter/sim/index.js';
import { vectorPath } from './helpers/repo.js';

interface Figures {
  mode: string;
  measurement: string;
  state: string;
  points: number;
  forensics: number;
  trajectory: number;
  findings: number;
  untrusted: number;
  events: number;
  imaEntries: number;
}

test('a 0.1.0 store is migrated and resumes exactly', async () => {
  const expected = JSON.parse(
    readFileSync(vectorPath('store/v0.1.0/expected.json'), 'utf8')
  ) as Record<string, Figures> & { hostImaEntries: number };
  const dir = mkdtempSync(join(tmpdir(), 'tsem-release-store-'));
  cpSync(vectorPath('store/v0.1.0/store'), join(dir, 'store'), { recursive: true });
  const said: string[] = [];
  try {
    const engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      ima: { localFiles: false },
      log: (m) => said.push(m),
    });
    try {
      assert.ok(
        said.some((l) => /store: migrating format 1 to 2/.test(l)),
        'the migration is logged'
      );
      assert.ok(
        said.some((l) => /store: migrating format 3 to 4: per-namespace IMA policies/.test(l)),
        'each step is logged'
      );
      // No namespace of a 0.1.0 store has an IMA configuration of its own.
      assert.equal(engine.ima!.admin.policy('web').source, 'default');
      assert.equal(engine.ima!.admin.keyring('web').own, false);
      for (const id of ['web', 'cron']) {
        const ns = engine.registry.require(id);
        const want = expected[id]!;
        assert.deepEqual(
          {
            mode: ns.mode,
            measurement: ns.measurement.toString('hex'),
            state: ns.state().toString('hex'),
            points: ns.pointCount,
            forensics: ns.forensics().length,
            trajectory: ns.trajectory().length,
            findings: ns.findingCount,
            untrusted: ns.untrustedTaskCount(),
            events: ns.eventCount,
            imaEntries: engine.ima!.namespace(id).log.entries.length,
          },
          want,
          id
        );
      }
      assert.equal(engine.ima!.host.log.entries.length, expected.hostImaEntries);
      // Format 7: every point learned or recorded by an event, and every finding, is described
      // from its kernel line; a finding's description keeps the line (accepting needs it).
      assert.ok(said.some((l) => /store: migrating format 6 to 7: describe/.test(l)));
      for (const id of ['web', 'cron']) {
        const ns = engine.registry.require(id);
        const hexes = ns.points().map((p) => p.hex);
        const ds = await engine.store.descriptions(id, hexes);
        assert.equal(ds.size, hexes.length, `${id}: every point described`);
        assert.ok(ns.points().every((p) => p.described));
        for (const [hex, d] of ds) assert.equal(typeof d.type, 'string', hex);
        const findings = ns.findings().map((f) => f.coefficient.toString('hex'));
        const fd = await engine.store.descriptions(id, findings);
        assert.equal(fd.size, findings.length, `${id}: every finding described`);
        for (const d of fd.values()) assert.match(d.line ?? '', /^\{"event"/);
      }
      // It goes on: the sealed namespace still catches the attack's task as untrusted.
      const origin = { host: 'release-host', exporter: 'sim' };
      const out = await engine.submit(
        'web',
        origin,
        [...createScenario('nginx', { seed: 1, iterations: 1 }).events()].map((obj) => ({ obj }))
      );
      assert.equal(
        out.filter((o) => o.verdict?.kind === 'off-contour').length,
        0,
        'trained behaviour stays on-contour'
      );
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
