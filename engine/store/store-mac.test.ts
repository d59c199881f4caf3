/**
 * Offline edits of the store (a copied, restored or edited data directory) are refused at start:
 * each case edits the LevelDB records directly, as an attacker with the files but not the key would.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Level } from 'level';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { parseEventObject } from '../event/parse-json.js';
import { createNamespaceConfig, NamespaceModel } from '../ns/namespace-model.js';
import { LevelStore } from './level-store.js';
import { loadStoreKey } from './store-key.js';

const root = mkdtempSync(join(tmpdir(), 'tsem-mac-'));
after(() => rmSync(root, { recursive: true, force: true }));
const KEY = Buffer.alloc(32, 7);
let n = 0;

/** A store holding an enforce namespace `web` with one untrusted task, closed. */
async function protectedStore(): Promise<string> {
  const dir = join(root, `s${n++}`);
  const store = await LevelStore.open(dir, undefined, { macKey: KEY });
  await store.loadAll();
  const ns = new NamespaceModel(createNamespaceConfig({ id: 'web', mode: 'enforce' }));
  await store.persist(ns);
  const ev = parseEventObject(
    sourceEvent(5, 'file_open', { file: fileCell('/bin/sh', '0'.repeat(64)) }),
    {
      digestSize: 32,
    }
  );
  assert.equal(ns.process(ev, 'node-a').kind, 'off-contour');
  await store.persist(ns);
  await store.persist(new NamespaceModel(createNamespaceConfig({ id: 'db' })));
  await store.close();
  return dir;
}

async function edit(dir: string, fn: (db: Level<string, unknown>) => Promise<void>): Promise<void> {
  const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
  await db.open();
  await fn(db);
  await db.close();
}

async function reopen(dir: string, key: Buffer | null = KEY) {
  const store = await LevelStore.open(dir, undefined, { macKey: key ?? undefined });
  try {
    return await store.loadAll();
  } finally {
    await store.close();
  }
}

const meta = (db: Level<string, unknown>) =>
  db.sublevel<string, { config: { mode: string } }>('meta', { valueEncoding: 'json' });
const tasks = (db: Level<string, unknown>) =>
  db.sublevel('ns:web').sublevel<string, { s: string }>('k', { valueEncoding: 'json' });

test('an untouched protected store opens and resumes', async () => {
  const dir = await protectedStore();
  const all = await reopen(dir);
  const web = all.find((x) => x.id === 'web')!;
  assert.equal(web.mode, 'enforce');
  assert.equal(web.untrustedTaskCount(), 1);
});

test('enforce → learn edited offline: refused at start', async () => {
  const dir = await protectedStore();
  await edit(dir, async (db) => {
    const m = (await meta(db).get('web'))!;
    m.config.mode = 'learn';
    await meta(db).put('web', m);
  });
  await assert.rejects(reopen(dir), /namespace web .* was changed outside the engine/);
});

test('untrusted → trusted edited offline, or the task deleted: refused at start', async () => {
  for (const change of [
    async (db: Level<string, unknown>) => {
      const t = tasks(db);
      const key = (await t.keys().all())[0]!;
      await t.put(key, { ...(await t.get(key))!, s: 'trusted' });
    },
    async (db: Level<string, unknown>) => {
      const t = tasks(db);
      await t.del((await t.keys().all())[0]!);
    },
  ]) {
    const dir = await protectedStore();
    await edit(dir, change);
    await assert.rejects(reopen(dir), /namespace web .* was changed outside the engine/);
  }
});

test('a namespace deleted whole (meta, records and MAC) offline: refused at start', async () => {
  const dir = await protectedStore();
  await edit(dir, async (db) => {
    await meta(db).del('web');
    await db.sublevel('mac', { valueEncoding: 'json' }).del('ns:web');
    await tasks(db).clear();
  });
  await assert.rejects(reopen(dir), /added or deleted outside the engine/);
});

test('a protected store without its key, or with another key, is refused', async () => {
  const dir = await protectedStore();
  await assert.rejects(
    reopen(dir, null),
    /protected by a MAC: start the engine with its store key/
  );
  await assert.rejects(reopen(dir, Buffer.alloc(32, 9)), /changed outside the engine/);
});

test('a store written without a key is protected on the first start with one', async () => {
  const dir = join(root, 'plain');
  const s = await LevelStore.open(dir);
  await s.persist(new NamespaceModel(createNamespaceConfig({ id: 'web' })));
  await s.close();
  assert.equal((await reopen(dir)).length, 1);
  await edit(dir, async (db) => {
    const m = (await meta(db).get('web'))!;
    m.config.mode = 'enforce';
    await meta(db).put('web', m);
  });
  await assert.rejects(reopen(dir), /changed outside the engine/);
});

test('the store key: created 0600 apart from the data, refused inside it or readable by others', () => {
  const data = join(root, 'data');
  mkdirSync(data, { recursive: true });
  const file = join(root, 'keys', 'store.key');
  const k = loadStoreKey(file, data);
  assert.equal(k.length, 32);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(loadStoreKey(file, data), k);
  assert.throws(() => loadStoreKey(join(data, 'store.key'), data), /inside the data directory/);
  const loose = join(root, 'loose.key');
  writeFileSync(loose, `${'ab'.repeat(32)}\n`, { mode: 0o644 });
  assert.throws(() => loadStoreKey(loose, data), /readable by it alone/);
});
