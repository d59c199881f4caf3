/**
 * Bounded in-memory tails: a store-backed namespace keeps the lines of only its newest trajectory
 * and forensics entries in memory, and every reader still gets every line, from the store: Control
 * pages, the untrusted tasks' events, the web console's pages and tasks, a whole snapshot, and an
 * engine restarted on the same store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEngine } from '../../daemon/start-engine.js';
import { wholeSnapshot } from '../../engine/ns/entry-lines.js';
import type { HeldEntry } from '../../engine/ns/namespace-model.js';
import { restoreNamespace } from '../../engine/ns/namespace-snapshot.js';
import * as grpc from '@grpc/grpc-js';
import { loadTsemProto } from '../../proto/load.js';
import type { ListTasksResponse__Output } from '../../proto/gen/tsem/v1/ListTasksResponse.js';
import type { EntriesResponse__Output } from '../../proto/gen/tsem/v1/EntriesResponse.js';
import {
  call as consoleCall,
  type ConsoleEngine,
  signIn,
  startConsoleEngine,
} from '../helpers/console-engine.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { call, type Clients, clients, ingest, toWire } from '../helpers/grpc.js';

const TAIL = 3;
const LEARNED = 40;
const OFF = 8;
const ZERO = '0'.repeat(64);
const ev = (path: string, pid: number) =>
  sourceEvent(pid, 'file_open', { file: fileCell(path, ZERO) });
const held = (list: Iterable<HeldEntry>) => [...list].filter((e) => e.line !== undefined).length;
/** The path an entry's line names. */
const pathOf = (line: string) => /"pathname": ?"([^"]+)"/.exec(line)?.[1];

let c: ConsoleEngine;
let admin: Clients;

before(async () => {
  c = await startConsoleEngine({ engine: { lineTail: TAIL } });
  admin = clients(c.engine.address, c.adminToken);
  await call(admin, 'CreateNamespace', { name: 'tail' });
  // One batch per event: each is persisted (and its older lines released) before the next.
  for (let i = 0; i < LEARNED; i++)
    await ingest(admin, [[toWire('tail', ev(`/learned/${i}`, 100 + i))]]);
  await call(admin, 'SetMode', { name: 'tail', mode: 'MODE_SEALED' });
  for (let i = 0; i < OFF; i++) await ingest(admin, [[toWire('tail', ev(`/off/${i}`, 200 + i))]]);
});
after(async () => {
  admin.close();
  await c.close();
});

test('memory holds only the newest lines of each list once persisted', () => {
  const ns = c.engine.registry.require('tail');
  assert.equal(ns.trajectory().length, LEARNED);
  assert.equal(ns.forensics().length, OFF);
  assert.equal(held(ns.trajectory()), TAIL);
  assert.equal(held(ns.forensics()), TAIL);
  assert.equal(pathOf(ns.trajectory().at(-1)!.line!), `/learned/${LEARNED - 1}`);
});

test('Control pages every trajectory and forensics line, older ones read from the store', async () => {
  for (const [method, prefix, total] of [
    ['GetTrajectory', '/learned/', LEARNED],
    ['GetForensics', '/off/', OFF],
  ] as const) {
    const paths: (string | undefined)[] = [];
    for (let offset = 0; offset < total;) {
      const r = await call<EntriesResponse__Output>(admin, method, {
        name: 'tail',
        offset,
        limit: 7,
      });
      assert.equal(r.total, String(total));
      assert.ok(r.entries.length > 0);
      paths.push(...r.entries.map((e) => pathOf(e.event_json)));
      offset += r.entries.length;
    }
    assert.deepEqual(
      paths,
      Array.from({ length: total }, (_, i) => `${prefix}${i}`)
    );
  }
});

test('each untrusted task names the event that made it untrusted (Control and console)', async () => {
  const { proto } = loadTsemProto();
  const ops = new proto.tsem.v1.Operations(c.engine.address, grpc.credentials.createInsecure());
  const r = await new Promise<ListTasksResponse__Output>((resolve, reject) =>
    ops.ListTasks({ name: 'tail', untrusted_only: true }, admin.meta, (e, v) =>
      e || !v ? reject(e ?? new Error('no reply')) : resolve(v)
    )
  );
  ops.close();
  assert.equal(r.tasks.length, OFF);
  for (const t of r.tasks) {
    const pid = Number(/pid:(\d+)$/.exec(t.key)?.[1]);
    assert.equal(pathOf(t.untrusted_event), `/off/${pid - 200}`, t.key);
  }
  const s = await signIn(c.base, c.adminToken);
  const tasks = (
    await consoleCall(c.base, '/console/api/namespaces/tail/tasks', { cookie: s.cookie })
  ).json<{ tasks: { key: string; cause: { event: string } }[] }>().tasks;
  assert.equal(tasks.length, OFF);
  for (const t of tasks)
    assert.equal(pathOf(t.cause.event), `/off/${Number(/pid:(\d+)$/.exec(t.key)?.[1]) - 200}`);
});

test('the web console pages every line', async () => {
  const s = await signIn(c.base, c.adminToken);
  const page = await consoleCall(
    c.base,
    '/console/api/namespaces/tail/trajectory?offset=5&limit=30',
    {
      cookie: s.cookie,
    }
  );
  assert.equal(page.status, 200);
  const items = page.json<{ total: number; items: { event: string }[] }>().items;
  assert.deepEqual(
    items.map((e) => pathOf(e.event)),
    Array.from({ length: 30 }, (_, i) => `/learned/${i + 5}`)
  );
});

test('a whole snapshot has every line and restores to the same measurement', async () => {
  const ns = c.engine.registry.require('tail');
  const snap = await wholeSnapshot(async (take) => take(ns), c.engine.registry.store);
  assert.deepEqual(
    snap.trajectory.map((e) => pathOf(e.l)),
    Array.from({ length: LEARNED }, (_, i) => `/learned/${i}`)
  );
  assert.equal(snap.forensics.filter((e) => e.l.length > 0).length, OFF);
  assert.ok(restoreNamespace(snap).measurement.equals(ns.measurement));
  // The model still holds only its tail: the snapshot read the rest without keeping it.
  assert.equal(held(ns.trajectory()), TAIL);
});

test('an engine restarted on the store keeps only the tail in memory and reads the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-line-tail-'));
  const origin = { host: 'h', exporter: 'x' };
  try {
    let engine = await startEngine({ listen: '127.0.0.1:0', dataDir: dir, log: () => undefined });
    for (let i = 0; i < 12; i++) await engine.submit('r', origin, [{ obj: ev(`/r/${i}`, 1) }]);
    // Default tail (256): everything held.
    assert.equal(held(engine.registry.require('r').trajectory()), 12);
    await engine.stop();
    engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      lineTail: 2,
      log: () => undefined,
    });
    try {
      const ns = engine.registry.require('r');
      assert.equal(held(ns.trajectory()), 2);
      const cl = clients(engine.address, engine.adminToken);
      try {
        const r = await call<EntriesResponse__Output>(cl, 'GetTrajectory', { name: 'r' });
        assert.deepEqual(
          r.entries.map((e) => pathOf(e.event_json)),
          Array.from({ length: 12 }, (_, i) => `/r/${i}`)
        );
      } finally {
        cl.close();
      }
    } finally {
      await engine.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
