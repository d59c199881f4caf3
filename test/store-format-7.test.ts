/**
 * A format-7 store protected by a store key (test/vectors/store/format-7/, written by commit
 * 913ebf6) is migrated to the current format: its tasks are numbered in the order format 7
 * restored them (key order) with their MAC kept, every figure comes back, a continuation gives
 * exactly what that engine gave for it; and the migration re-authenticates nothing edited.
 */
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** A copy of the fixture's store and of its key (0600, apart from the data, as the engine wants). */
function copyFixture(): { dir: string; storeKeyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-format7-'));
  cpSync(vectorPath('store/format-7/store'), join(dir, 'data', 'store'), { recursive: true });
  const storeKeyFile = join(dir, 'store.key');
  cpSync(vectorPath('store/format-7/store.key'), storeKeyFile);
  chmodSync(storeKeyFile, 0o600);
  return { dir, storeKeyFile };
}

test('a format-7 store is migrated (tasks numbered in key order, MAC kept) and resumes exactly', async () => {
  const expected = JSON.parse(readFileSync(vectorPath('store/format-7/expected.json'), 'utf8')) as {
    atRest: Figures;
    continued: Figures;
  };
  const { dir: root, storeKeyFile } = copyFixture();
  const dir = join(root, 'data');
  const said: string[] = [];
  try {
    const engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      storeKeyFile,
      ima: { localFiles: false },
      daemonRegistry: false,
      log: (m) => said.push(m),
    });
    try {
      assert.ok(said.some((l) => /store: migrating format 7 to 8/.test(l)));
      // The IMA logs, outside the MAC before format 8, are taken under it once.
      assert.ok(said.some((l) => /IMA logs are now protected by the store key/.test(l)));
      assert.deepEqual(figures(engine, ['web', 'cron']), expected.atRest);
      // Format 7 restored tasks in key order: the migration recorded exactly that order.
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
    rmSync(root, { recursive: true, force: true });
  }
});

test('the format-7 migration re-authenticates nothing: an edited task record is still refused', async () => {
  const { dir: root, storeKeyFile } = copyFixture();
  const dir = join(root, 'data');
  try {
    const db = new Level<string, unknown>(join(dir, 'store'), { valueEncoding: 'json' });
    await db.open();
    try {
      const tasks = db.sublevel('ns:web').sublevel<string, { s: string }>('k', {
        valueEncoding: 'json',
      });
      const [key, rec] = (await tasks.iterator({ limit: 1 }).all())[0]!;
      // An offline edit: an untrusted task made trusted again.
      await tasks.put(key, { ...rec, s: rec.s === 'trusted' ? 'untrusted' : 'trusted' });
    } finally {
      await db.close();
    }
    await assert.rejects(
      startEngine({
        listen: '127.0.0.1:0',
        dataDir: dir,
        storeKeyFile,
        ima: { localFiles: false },
        daemonRegistry: false,
        log: () => undefined,
      }),
      /namespace web .*changed outside the engine/
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a MAC-protected format-7 store is not migrated without its key', async () => {
  const { dir: root } = copyFixture();
  try {
    await assert.rejects(
      startEngine({
        listen: '127.0.0.1:0',
        dataDir: join(root, 'data'),
        ima: { localFiles: false },
        daemonRegistry: false,
        log: () => undefined,
      }),
      /protected by a MAC: start the engine with its store key/
    );
    const db = new Level<string, unknown>(join(root, 'data', 'store'), { valueEncoding: 'json' });
    await db.open();
    try {
      assert.equal(await readStoreFormat(db), 7);
    } finally {
      await db.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
