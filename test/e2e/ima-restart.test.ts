/**
 * The engine's IMA logs survive a restart: after stop and start on the same data directory,
 * GetImaLog serves the same bytes and pcr10 for every namespace (and the host log is the same),
 * the same file events add no entry and read nothing from the files, and a changed file adds
 * exactly one entry per level.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createImaStage, type ImaStageParts } from '../../engine/ima-stage/create-ima-stage.js';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import type { Event } from '../../proto/gen/tsem/v1/Event.js';
import type { ImaLog__Output } from '../../proto/gen/tsem/v1/ImaLog.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { call, clients, ingest, toWire } from '../helpers/grpc.js';

const READ = '32768';
const POLICY = 'measure func=FILE_CHECK mask=^MAY_READ uid=0\n';
const dir = mkdtempSync(join(tmpdir(), 'tsem-ima-restart-'));
const files = join(dir, 'files');
mkdirSync(files);
after(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const openEvent = (ns: string, path: string, pid: number): Event =>
  toWire(ns, sourceEvent(pid, 'file_open', { file: fileCell(path, sha256(path), READ) }));

interface Running {
  readonly engine: RunningEngine;
  readonly ima: ImaStageParts;
  /** File reads by the IMA stage (security.ima); none when the restored marks say "measured". */
  readonly reads: string[];
}

async function start(): Promise<Running> {
  const reads: string[] = [];
  const readers = { readXattr: (p: string) => void reads.push(p), hashFile: () => undefined };
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    ima: { policy: POLICY, readers },
    log: () => undefined,
  });
  return { engine, ima: engine.ima!, reads };
}

/** Everything GetImaLog serves for the namespaces, in both formats and banks, plus the host log. */
async function served(r: Running, names: readonly string[]): Promise<Record<string, string>> {
  const c = clients(r.engine.address);
  try {
    const out: Record<string, string> = {};
    for (const ns of names) {
      for (const format of ['ascii', 'binary'] as const) {
        for (const bank of ['sha1', 'sha256']) {
          const s = await call<ImaLog__Output>(c, 'GetImaLog', { name: ns, format, bank });
          out[`${ns} ${format} ${bank}`] = `${s.entries} ${s.pcr10} ${s.log.toString('base64')}`;
        }
      }
    }
    const host = r.ima.host.log;
    out['host'] =
      `${host.entries.length} ${host.violations} ${host.aggregate('sha256').toString('hex')} ${host.toBinary('sha256').toString('base64')}`;
    return out;
  } finally {
    c.close();
  }
}

async function send(r: Running, events: Event[][]): Promise<void> {
  const c = clients(r.engine.address);
  try {
    await ingest(c, events);
  } finally {
    c.close();
  }
}

test('a restart resumes every IMA log exactly and measures an unchanged file no more', async () => {
  const paths = ['one', 'two', 'three'].map((n) => join(files, n));
  paths.forEach((p, i) => writeFileSync(p, `contents of file ${i}\n`));
  const batch = () => [
    paths.map((p, i) => openEvent('alpha', p, 10 + i)),
    [openEvent('beta', paths[0]!, 20)],
  ];
  const names = ['alpha', 'beta'];

  let r = await start();
  await send(r, batch());
  const before = await served(r, names);
  assert.equal(before['alpha ascii sha256']!.split(' ')[0], '3');
  assert.equal(before['beta ascii sha256']!.split(' ')[0], '1');
  assert.equal(
    r.ima.host.log.entries.length,
    1 + 4,
    'boot_aggregate and an ima-ns entry per access'
  );
  await r.engine.stop();

  r = await start();
  try {
    assert.deepEqual(
      await served(r, names),
      before,
      'the same bytes, entry counts and pcr10 after the restart'
    );
    await send(r, batch());
    assert.deepEqual(await served(r, names), before, 'the same events add no entry');
    assert.deepEqual(r.reads, [], 'and read nothing from the files: the marks were restored');

    appendFileSync(paths[2]!, 'changed\n');
    await send(r, [[openEvent('alpha', paths[2]!, 30)]]);
    const changed = await served(r, names);
    assert.equal(
      changed['alpha ascii sha256']!.split(' ')[0],
      '4',
      'a changed file adds exactly one entry'
    );
    assert.equal(changed['beta ascii sha256'], before['beta ascii sha256']);
    assert.equal(r.ima.host.log.entries.length, 1 + 5, 'and exactly one on the host');
    assert.notEqual(
      changed['alpha ascii sha256']!.split(' ')[1],
      before['alpha ascii sha256']!.split(' ')[1],
      'pcr10 moved'
    );
    await r.engine.stop();

    r = await start();
    assert.deepEqual(
      await served(r, names),
      changed,
      'the entry of the changed file was durable too'
    );
  } finally {
    await r.engine.stop();
  }
});

test('a store given to the IMA stage must be restored before events are acknowledged', async () => {
  const data = join(dir, 'unrestored');
  const ima = createImaStage({
    policy: POLICY,
    readXattr: () => undefined,
    hashFile: () => undefined,
    store: { load: () => Promise.reject(new Error('unused')), ops: () => [] },
  });
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: data,
    stages: [ima.stage],
    log: () => undefined,
  });
  try {
    const path = join(files, 'one');
    writeFileSync(path, 'x');
    await assert.rejects(
      engine.submit('gamma', { exporter: 'test', host: 'h' }, [
        { obj: sourceEvent(1, 'file_open', { file: fileCell(path, sha256(path), READ) }) },
      ]),
      /restore\(\) was not awaited/
    );
    await assert.rejects(
      ima.restore(),
      /restore\(\) must complete before the first event; 1 event\(s\) came earlier/
    );
  } finally {
    await engine.stop();
  }
});
