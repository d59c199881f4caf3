/**
 * Point descriptions in a MAC-protected store: written with their points, taken out and back by
 * accepts and model replaces, added by the format 6 → 7 migration, and the namespace's MAC still
 * matches at every restart (a mismatch would refuse the store).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Level } from 'level';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { parseEventObject } from '../event/parse-json.js';
import { createNamespaceConfig, NamespaceModel } from '../ns/namespace-model.js';
import { LevelStore } from './level-store.js';
import { recordMacOf, xorMac } from './store-mac.js';

const open = (pid: number, path: string) =>
  parseEventObject(sourceEvent(pid, 'file_open', { file: fileCell(path, 'ab'.repeat(32)) }), {
    digestSize: 32,
  });

test('descriptions are kept under the MAC through accepts, a replace and restarts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-desc-'));
  const macKey = randomBytes(32);
  try {
    let store = await LevelStore.open(dir, undefined, { macKey });
    const ns = new NamespaceModel(createNamespaceConfig({ id: 'web' }));
    const a = ns.process(open(1, '/a'), '', 1).coefficient!.toString('hex');
    await store.persist(ns);
    ns.setMode('audit');
    const b = ns.process(open(1, '/b'), '', 2).coefficient!.toString('hex');
    await store.persist(ns);
    assert.match((await store.descriptions('web', [b])).get(b)!.line ?? '', /"\/b"/);
    ns.accept([{ hex: b, line: '{}' }], 3);
    await store.persist(ns);
    await store.close();

    store = await LevelStore.open(dir, undefined, { macKey });
    const [back] = await store.loadAll();
    assert.deepEqual([back!.point(a)!.described, back!.point(b)!.described], [true, true]);
    assert.equal(back!.findingCount, 0);
    // A replace deletes the old descriptions (append-only records) and writes the model's.
    const model = { ...back!.exportModel(), comments: [], states: [Buffer.from(a, 'hex')] };
    back!.loadModel(
      {
        ...model,
        notes: new Map([
          [a, { count: 1, description: (await store.descriptions('web', [a])).get(a)! }],
        ]),
      },
      { replace: true }
    );
    await store.persist(back!);
    await store.close();

    store = await LevelStore.open(dir, undefined, { macKey });
    const [again] = await store.loadAll();
    assert.deepEqual(
      again!.points().map((p) => p.hex),
      [a]
    );
    assert.deepEqual([...(await store.descriptions('web', [a, b])).keys()], [a]);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the format 6 → 7 migration describes points from their lines and keeps the MAC', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-desc-migrate-'));
  const macKey = randomBytes(32);
  try {
    const store = await LevelStore.open(dir, undefined, { macKey });
    const ns = new NamespaceModel(createNamespaceConfig({ id: 'web' }));
    const a = ns.process(open(1, '/a')).coefficient!.toString('hex');
    ns.setMode('audit');
    const f = ns.process(open(1, '/f')).coefficient!.toString('hex');
    await store.persist(ns);
    await store.close();
    // Make it the store a format 6 engine wrote: no `d` part, the MAC without its records.
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    const d = db.sublevel('ns:web').sublevel<string, unknown>('d', { valueEncoding: 'json' });
    const macs = db.sublevel<string, { mac: string }>('mac', { valueEncoding: 'json' });
    const acc = Buffer.from((await macs.get('ns:web'))!.mac, 'hex');
    const described = await d.iterator().all();
    for (const [key, value] of described) xorMac(acc, recordMacOf(macKey, 'web', 'd', key, value));
    await d.clear();
    // Its finding records held their kernel line and count (EntryRecord), no times.
    const findings = db.sublevel('ns:web').sublevel<string, unknown>('a', {
      valueEncoding: 'json',
    });
    for (const [key, value] of await findings.iterator().all()) {
      const line = (described.find(([k]) => k === key)![1] as { line: string }).line;
      const old = { c: key, l: line, n: (value as { n: number }).n };
      xorMac(acc, recordMacOf(macKey, 'web', 'a', key, value));
      xorMac(acc, recordMacOf(macKey, 'web', 'a', key, old));
      await findings.put(key, old);
    }
    await macs.put('ns:web', { mac: acc.toString('hex') });
    await db
      .sublevel<string, { version: number }>('store', { valueEncoding: 'json' })
      .put('format', { version: 6 });
    await db.close();

    const said: string[] = [];
    const migrated = await LevelStore.open(dir, (m) => said.push(m), { macKey });
    assert.ok(said.some((l) => /migrating format 6 to 7/.test(l)));
    const [back] = await migrated.loadAll(); // the MAC matches, or this throws
    assert.equal(back!.point(a)!.described, true);
    const ds = await migrated.descriptions('web', [a, f]);
    assert.equal(ds.get(a)!.type, 'file_open');
    assert.match(ds.get(f)!.line ?? '', /"\/f"/);
    await migrated.close();
    // Without the key a protected store cannot be migrated: said, not silently broken.
    const db2 = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    await db2
      .sublevel<string, { version: number }>('store', { valueEncoding: 'json' })
      .put('format', { version: 6 });
    await db2.close();
    await assert.rejects(
      LevelStore.open(dir),
      /protected by a MAC: start the engine with its store key/
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a description drained into a batch still queued behind a write is read once written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-desc-'));
  try {
    const store = await LevelStore.open(dir);
    const ns = new NamespaceModel(createNamespaceConfig({ id: 'web' }));
    ns.process(open(1, '/a'), '', 1);
    const first = store.persist(ns); // being written
    const b = ns.process(open(1, '/b'), '', 2).coefficient!.toString('hex');
    // Drained from the model and queued behind the first write: neither model nor disk has it.
    const second = store.persist(ns);
    assert.equal(ns.pendingDescription(b), undefined);
    const found = store.descriptions('web', [b]);
    const scanned = (async () => {
      const out: string[] = [];
      for await (const [h] of store.scanDescriptions('web')) out.push(h);
      return out;
    })();
    const early = (await found).get(b);
    assert.ok(early, 'the queued description was read');
    assert.ok((await scanned).includes(b));
    await Promise.all([first, second]);
    assert.deepEqual((await store.descriptions('web', [b])).get(b), early);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
