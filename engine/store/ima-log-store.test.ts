import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Level } from 'level';
import { vectorPath } from '../../test/helpers/repo.js';
import { buildEntry } from '../ima/entry-builder.js';
import { parseAsciiList } from '../ima/measurement-list-ascii.js';
import { parseBinaryList, writeBinaryList } from '../ima/measurement-list-binary.js';
import { ImaLogStore } from './ima-log-store.js';
import { LevelStore } from './level-store.js';

async function withStore(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-imastore-'));
  try {
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('real lists of every template round-trip byte for byte across a reopen', () =>
  withStore(async (dir) => {
    // 17 records mixing custom formats, ima (a violation), ima-sig, ima-buf, evm-sig, ...
    const file = readFileSync(vectorPath('ima/ibmtss/imatest.log'));
    const host = parseBinaryList(file, 20).entries;
    const ns = parseAsciiList(
      readFileSync(vectorPath('ima/lkml-ima-ns-rfc/ima-ns-rfc-v1-sample.ascii'), 'utf8'),
      20
    );
    const made = buildEntry(10, 'ima-ng', {
      algo: 'sha256',
      digest: Buffer.alloc(32, 7),
      name: '/usr/bin/a b',
    });
    let store = await LevelStore.open(dir);
    // Two writes per level: the second continues at the index where the first stopped.
    await ImaLogStore.of(store).save(
      [
        { ns: null, start: 0, entries: host.slice(0, 5) },
        { ns: 'web:1/ü', start: 0, entries: ns },
      ],
      []
    );
    await ImaLogStore.of(store).save(
      [
        { ns: null, start: 5, entries: host.slice(5) },
        { ns: 'web:1/ü', start: ns.length, entries: [made] },
      ],
      []
    );
    await store.close();

    store = await LevelStore.open(dir);
    try {
      const snap = await ImaLogStore.of(store).load();
      assert.deepEqual(
        snap.logs.map((l) => [l.ns, l.entries.length]),
        [
          [null, 17],
          ['web:1/ü', ns.length + 1],
        ]
      );
      const [h, n] = [snap.logs[0]!.entries, snap.logs[1]!.entries];
      assert.deepEqual(h, host, 'every field, template data, violation flag and logged digest');
      assert.deepEqual(writeBinaryList(h, 'sha1', 20), writeBinaryList(host, 'sha1', 20));
      assert.equal(h.filter((e) => e.violation).length, 1);
      assert.deepEqual(n, [...ns, made]);
      assert.deepEqual(await store.loadAll(), [], 'the model sees no namespace of its own');
    } finally {
      await store.close();
    }
  }));

test('file marks round-trip; the model sublevels are refused', () =>
  withStore(async (dir) => {
    const store = await LevelStore.open(dir);
    try {
      const marks = [
        { key: 'web\u00000:/usr/bin/true', digest: 'ab'.repeat(32), measured: ['0:10', '1:10'] },
        { key: 'db\u00002049:/etc/passwd', digest: 'cd'.repeat(32), measured: [] },
      ];
      await ImaLogStore.of(store).save([], marks);
      const snap = await ImaLogStore.of(store).load();
      assert.deepEqual(snap.logs, []);
      assert.deepEqual(
        [...snap.files].sort((a, b) => a.key.localeCompare(b.key)),
        [...marks].sort((a, b) => a.key.localeCompare(b.key))
      );
      assert.throws(() => store.sublevel('meta'), /sublevel 'meta' belongs to the model/);
      assert.throws(() => store.sublevel('ns:web'), /belongs to the model/);
    } finally {
      await store.close();
    }
  }));

test('a gap in a level or a bad record is refused naming the record', () =>
  withStore(async (dir) => {
    const store = await LevelStore.open(dir);
    try {
      const entry = buildEntry(10, 'ima-ng', {
        algo: 'sha256',
        digest: Buffer.alloc(32, 1),
        name: '/a',
      });
      await ImaLogStore.of(store).save([{ ns: 'x', start: 0, entries: [entry] }], []);
      const raw = store.sublevel('ima') as unknown as Level<string, unknown>;
      const lk = `n${Buffer.from('x').toString('hex')}`;
      await raw.put(`l:${lk}:000000000002`, { p: 10, t: 'ima-ng', f: [], v: false });
      await assert.rejects(
        ImaLogStore.of(store).load(),
        /record "l:n78:000000000002": expected index 1 next/
      );
      await raw.put(`l:${lk}:000000000001`, { p: 10, t: 'ima-ng', f: ['AA=='], v: false });
      await assert.rejects(
        ImaLogStore.of(store).load(),
        /record "l:n78:000000000001": expected an entry of a known template with its field count/
      );
      await raw.put(`l:${lk}:000000000001`, { p: 'ten' });
      await assert.rejects(ImaLogStore.of(store).load(), /expected an entry \{p: pcr/);
      await raw.clear({ gt: `l:${lk}:000000000000`, lt: `l:${lk}:999999999999` });
      assert.equal((await ImaLogStore.of(store).load()).logs[0]!.entries.length, 1, 'valid again');
      await raw.put('zzz', 1);
      await assert.rejects(
        ImaLogStore.of(store).load(),
        /record "zzz": expected a key 'l:<level>:<index>'/
      );
    } finally {
      await store.close();
    }
  }));
