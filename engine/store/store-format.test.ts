import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Level } from 'level';
import { type Migration, readStoreFormat, STORE_FORMAT, upgradeStore } from './store-format.js';

async function withDb(
  fn: (db: Level<string, unknown>, dir: string) => Promise<void>
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-format-'));
  const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
  await db.open();
  try {
    await fn(db, dir);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a new store is stamped with the current format; an unversioned one with data is 0.1.0 (format 1)', async () => {
  await withDb(async (db, dir) => {
    assert.equal(await readStoreFormat(db), undefined);
    assert.deepEqual(await upgradeStore(db, dir), { from: undefined, to: STORE_FORMAT });
    assert.equal(await readStoreFormat(db), STORE_FORMAT);
  });
  await withDb(async (db, dir) => {
    await db
      .sublevel<string, unknown>('meta', { valueEncoding: 'json' })
      .put('web', { config: {} });
    assert.equal(await readStoreFormat(db), 1);
    const said: string[] = [];
    assert.deepEqual(await upgradeStore(db, dir, (m) => said.push(m)), {
      from: 1,
      to: STORE_FORMAT,
    });
    assert.equal(said.length, STORE_FORMAT - 1, 'one log line per step');
  });
});

test('a store of a newer format is refused, naming both formats', async () => {
  await withDb(async (db, dir) => {
    await db
      .sublevel<string, unknown>('store', { valueEncoding: 'json' })
      .put('format', { version: STORE_FORMAT + 1 });
    await assert.rejects(upgradeStore(db, dir), (e: Error) =>
      e.message.includes(
        `has format ${STORE_FORMAT + 1}, written by a newer tsem-engine; this one reads formats up to ${STORE_FORMAT}`
      )
    );
  });
});

test('migrations run in order, each once; a failed step leaves the store at the last completed version', async () => {
  await withDb(async (db, dir) => {
    await db
      .sublevel<string, unknown>('store', { valueEncoding: 'json' })
      .put('format', { version: 1 });
    const ran: number[] = [];
    const step = (from: number, fail = false): Migration => ({
      from,
      describe: `step ${from}`,
      run: async (d) => {
        ran.push(from);
        if (fail) throw new Error(`step ${from} failed`);
        await d.put(`migrated-${from}`, true);
      },
    });
    await assert.rejects(
      upgradeStore(db, dir, undefined, [step(1), step(2, true)], 3),
      /step 2 failed/
    );
    assert.equal(await readStoreFormat(db), 2);
    assert.deepEqual(await upgradeStore(db, dir, undefined, [step(1), step(2)], 3), {
      from: 2,
      to: 3,
    });
    assert.deepEqual(ran, [1, 2, 2]);
    assert.equal(await db.get('migrated-2'), true);
  });
});
