import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Level } from 'level';
import type { LabelModel } from '../canister/label-models.js';
import { LevelLabelStore } from './label-store.js';
import { LevelStore } from './level-store.js';
import { readStoreFormat, STORE_FORMAT } from './store-format.js';

const model = (label: string, points: number): LabelModel => ({
  label,
  model: 'end\n',
  digest: 'sha256',
  dialect: 'tsem-6.12',
  points,
  updatedMs: 1700000000000 + points,
  source: `namespace ${label}`,
});

test('labelled models persist in the store: put, replace, list without the text, delete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-labels-'));
  try {
    let store = await LevelStore.open(dir);
    let labels = LevelLabelStore.of(store);
    assert.deepEqual(await labels.list(), []);
    await labels.put(model('web', 1));
    await labels.put(model('db', 2));
    await labels.put(model('web', 3));
    await store.close();

    store = await LevelStore.open(dir);
    labels = LevelLabelStore.of(store);
    assert.deepEqual(await labels.get('web'), model('web', 3), 'the replacement, after a restart');
    assert.deepEqual(
      (await labels.list()).map((l) => [l.label, l.points, 'model' in l]),
      [
        ['db', 2, false],
        ['web', 3, false],
      ]
    );
    assert.equal(await labels.delete('db'), true);
    assert.equal(await labels.delete('db'), false);
    assert.equal(await labels.get('db'), undefined);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a format 5 store (before labelled models) is migrated to 6 and keeps its namespaces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-labels-v2-'));
  try {
    // What the engine wrote at format 5: the format record and a namespace's meta record.
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    await db.open();
    await db
      .sublevel<string, unknown>('store', { valueEncoding: 'json' })
      .put('format', { version: 5 });
    await db
      .sublevel<string, unknown>('meta', { valueEncoding: 'json' })
      .put('web', { kept: true });
    await db.close();

    const said: string[] = [];
    const store = await LevelStore.open(dir, (m) => said.push(m));
    assert.equal(STORE_FORMAT, 6);
    assert.deepEqual(said, [
      'store: migrating format 5 to 6: add the labelled-model store (sublevel `labels`, empty at first)',
    ]);
    const labels = LevelLabelStore.of(store);
    assert.deepEqual(await labels.list(), []);
    await labels.put(model('web', 1));
    await store.close();

    const check = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    await check.open();
    assert.equal(await readStoreFormat(check), 6);
    assert.deepEqual(
      await check.sublevel<string, unknown>('meta', { valueEncoding: 'json' }).get('web'),
      { kept: true }
    );
    await check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
