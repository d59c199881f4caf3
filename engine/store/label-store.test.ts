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
    let labels = await LevelLabelStore.open(store);
    assert.deepEqual(await labels.list(), []);
    await labels.put(model('web', 1));
    await labels.put(model('db', 2));
    await labels.put(model('web', 3));
    await store.close();

    store = await LevelStore.open(dir);
    labels = await LevelLabelStore.open(store);
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
    assert.equal(
      said[0],
      'store: migrating format 5 to 6: add the labelled-model store (sublevel `labels`, empty at first)'
    );
    assert.equal(said.length, STORE_FORMAT - 5, said.join('\n'));
    const labels = await LevelLabelStore.open(store);
    assert.deepEqual(await labels.list(), []);
    await labels.put(model('web', 1));
    await store.close();

    const check = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    await check.open();
    assert.equal(await readStoreFormat(check), STORE_FORMAT);
    assert.deepEqual(
      await check.sublevel<string, unknown>('meta', { valueEncoding: 'json' }).get('web'),
      { kept: true }
    );
    await check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the store MAC covers labelled models: a label's model edited, added or removed offline is refused at start", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-labels-mac-'));
  const key = Buffer.alloc(32, 7);
  const open = async (withKey = true) => {
    const store = await LevelStore.open(dir, undefined, { macKey: withKey ? key : undefined });
    try {
      await store.loadAll();
      return { store, labels: await LevelLabelStore.open(store) };
    } catch (err) {
      await store.close();
      throw err;
    }
  };
  /** Changes the `labels` sublevel as someone with the data directory but not the key could. */
  const offline = async (edit: (labels: Level<string, LabelModel>) => Promise<void>) => {
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    await db.open();
    await edit(
      db.sublevel<string, LabelModel>('labels', { valueEncoding: 'json' }) as unknown as Level<
        string,
        LabelModel
      >
    );
    await db.close();
  };
  const refused = /labels in .* were changed outside the engine/;
  try {
    // Written without a key first: the first start with one adopts what is there.
    let s = await open(false);
    await s.labels.put(model('web', 1));
    await s.store.close();
    s = await open();
    await s.labels.put(model('db', 2));
    await s.labels.put(model('web', 3));
    assert.equal(await s.labels.delete('db'), true);
    await s.store.close();
    s = await open(); // only labels protected, no namespace: still opens
    assert.deepEqual(await s.labels.get('web'), model('web', 3));
    await s.store.close();
    await assert.rejects(open(false), /protected by a MAC: start the engine with its store key/);

    const good = model('web', 3);
    await offline((l) => l.put('web', { ...good, model: 'state 00\nend\n' }));
    await assert.rejects(open(), refused, 'edited');
    await offline((l) => l.put('web', good));
    await (await open()).store.close();
    await offline((l) => l.put('db', model('db', 2)));
    await assert.rejects(open(), refused, 'added');
    await offline((l) => l.del('db'));
    await offline((l) => l.del('web'));
    await assert.rejects(open(), refused, 'removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
