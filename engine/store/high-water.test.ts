/**
 * The high-water mark is written off the event loop, one write at a time: marks that arrive
 * during a write go in the next one, a flush resolves only once its marks are on disk, and a
 * store's close() writes the last mark before it returns.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { parseEventObject } from '../event/parse-json.js';
import { createNamespaceConfig, NamespaceModel } from '../ns/namespace-model.js';
import { HIGH_WATER_FILE, HighWater } from './high-water.js';
import { LevelStore } from './level-store.js';

const openEvent = (i: number) =>
  parseEventObject(sourceEvent(1, 'file_open', { file: fileCell(`/f${i}`, 'ab'.repeat(32)) }), {
    digestSize: 32,
  });

const mark = (events: number) => ({ events, measurement: events.toString(16).padStart(64, '0') });

for (const sync of [false, true]) {
  test(`flushes during a write wait for one more write holding their marks (sync ${sync})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-hw-'));
    try {
      const logged: string[] = [];
      const hw = new HighWater(dir, sync, (m) => logged.push(m));
      const onDisk: number[] = [];
      const flushes: Promise<void>[] = [];
      for (let i = 1; i <= 50; i++) {
        hw.update('a', mark(i));
        hw.update('b', mark(2 * i));
        // What each flush promises: its own marks, or later ones, are on disk when it resolves.
        flushes.push(hw.flush().then(() => void onDisk.push(HighWater.read(dir).get('a')!.events)));
      }
      await Promise.all(flushes);
      assert.deepEqual(logged, []);
      assert.ok(
        onDisk.every((events, i) => events >= i + 1),
        `a flush resolved before its mark was written: ${onDisk.join(' ')}`
      );
      // The first flush's write took marks 1; the 49 that came during it share one more write.
      assert.equal(hw.writes, 2);
      assert.deepEqual(HighWater.read(dir).get('b'), mark(100));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('updates are coalesced into one delayed write; a mark never goes back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-hw-'));
  try {
    const hw = new HighWater(dir, false, () => undefined);
    for (let i = 1; i <= 100; i++) hw.update('a', mark(i));
    hw.update('a', mark(7)); // an older batch's figures arriving late
    assert.equal(hw.writes, 0, 'not written at once');
    while (hw.writes === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(hw.writes, 1);
    assert.deepEqual(HighWater.read(dir).get('a'), mark(100));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('remove() writes the mark without the namespace before the namespace goes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-hw-'));
  try {
    const store = await LevelStore.open(dir);
    const web = new NamespaceModel(createNamespaceConfig({ id: 'web' }));
    const gone = new NamespaceModel(createNamespaceConfig({ id: 'gone' }));
    for (const ns of [web, gone]) {
      ns.process(openEvent(0), '', 0);
      await store.persist(ns);
    }
    await store.deleteNamespace('gone');
    assert.deepEqual([...HighWater.read(dir).keys()], ['web']);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a store's close returns only once its last mark is written", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-hw-'));
  const tmp = join(dir, `${HIGH_WATER_FILE}.tmp`);
  try {
    const store = await LevelStore.open(dir);
    const ns = new NamespaceModel(createNamespaceConfig({ id: 'web' }));
    ns.process(openEvent(0), '', 0);
    await store.persist(ns);
    await new Promise((r) => setTimeout(r, 150)); // its delayed write is done
    ns.process(openEvent(1), '', 1);
    await store.persist(ns);
    // The next mark file is a FIFO: its write blocks (on the threadpool) until it is read.
    assert.equal(spawnSync('mkfifo', [tmp]).status, 0, 'mkfifo');
    let closed = false;
    const closing = store.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(closed, false, 'close returned before the last mark was written');
    // The reader (not a synchronous one: each step of the write needs the event loop).
    const written = await readFile(tmp, 'utf8');
    await closing;
    assert.deepEqual(JSON.parse(written), {
      namespaces: { web: { events: 2, measurement: ns.measurement.toString('hex') } },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
