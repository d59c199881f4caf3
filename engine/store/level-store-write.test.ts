/**
 * The store writes its batches on the root database with each key's full sublevel prefix (a
 * chained batch, level-store.ts write()): the bytes on disk must be exactly those the sublevels'
 * own batch writes, and what the sublevels read back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import type { StoreOp } from '../ns/stage.js';
import { LevelStore } from './level-store.js';

const WRITES: readonly (readonly StoreOp[])[] = [
  [
    { type: 'put', path: ['probe'], key: 'a', value: { n: 1, text: 'é\u0000"\\', list: [1, 2] } },
    { type: 'put', path: ['probe', 'inner'], key: 'b!c', value: 'a string' },
    { type: 'put', path: ['probe', 'inner'], key: '0007', value: 7 },
    { type: 'put', path: ['probe', 'other'], key: '\u00ff\u0100', value: [null, true] },
  ],
  [
    { type: 'del', path: ['probe', 'inner'], key: 'b!c' },
    { type: 'put', path: ['probe'], key: 'a', value: { n: 2 } },
    { type: 'del', path: ['probe'], key: 'never-written' },
  ],
];

/** What the sublevels' own array batch writes for the same operations. */
async function throughSublevels(dir: string): Promise<void> {
  const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
  await db.open();
  // Intermediate levels as the store makes them (default encodings), the last one JSON.
  type Sub = { sublevel(name: string, o: object): Sub };
  const sub = (path: readonly string[]): Sub =>
    path.reduce<Sub>(
      (level, name, i) =>
        level.sublevel(name, i === path.length - 1 ? { valueEncoding: 'json' } : {}),
      db as unknown as Sub
    );
  for (const ops of WRITES)
    await db.batch(
      ops.map((op) =>
        op.type === 'put'
          ? { type: 'put' as const, sublevel: sub(op.path), key: op.key, value: op.value }
          : { type: 'del' as const, sublevel: sub(op.path), key: op.key }
      ) as never
    );
  await db.close();
}

/** Every record under `!probe!`, as raw bytes. */
async function rawProbe(dir: string): Promise<[string, string][]> {
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  try {
    const all = await db.iterator().all();
    return all
      .filter(([k]) => k.toString('latin1').startsWith('!probe!'))
      .map(([k, v]) => [k.toString('hex'), v.toString('hex')]);
  } finally {
    await db.close();
  }
}

test('batches write the bytes the sublevels write, and the sublevels read them back', async () => {
  const a = mkdtempSync(join(tmpdir(), 'tsem-write-a-'));
  const b = mkdtempSync(join(tmpdir(), 'tsem-write-b-'));
  try {
    const store = await LevelStore.open(a);
    for (const ops of WRITES) await store.writeOps(ops);
    const probe = store.sublevel('probe') as unknown as Level<string, unknown>;
    assert.deepEqual(
      await probe.sublevel<string, unknown>('inner', { valueEncoding: 'json' }).iterator().all(),
      [['0007', 7]]
    );
    assert.deepEqual(await probe.get('a'), { n: 2 });
    await store.close();
    await throughSublevels(b);
    const written = await rawProbe(a);
    assert.equal(written.length, 3);
    assert.deepEqual(written, await rawProbe(b));
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('a value JSON cannot encode fails the write, naming the store; nothing of it is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-write-bad-'));
  try {
    const store = await LevelStore.open(dir);
    await assert.rejects(
      store.writeOps([
        { type: 'put', path: ['probe'], key: 'ok', value: 1 },
        { type: 'put', path: ['probe'], key: 'bad', value: 1n },
      ]),
      /writing 2 records to .* failed/
    );
    await store.close();
    assert.deepEqual(await rawProbe(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
