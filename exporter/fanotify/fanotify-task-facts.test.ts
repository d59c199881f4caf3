/**
 * What the native reader reads per task and per event (root: fanotify permission events): the
 * start time once per task, a reused pid (another start time) never given its predecessor's facts
 * or cached verdicts; credentials per event, so a setuid between two opens of one file is seen and
 * asks the engine again. The consumer here plays the engine: it allows everything as cacheable.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { rootSkipReason } from '../../test/helpers/repo.js';
import type { SourcedEvent } from '../source.js';
import { FanotifySource, fanotifyUnavailableReason } from './fanotify-source.js';

const unavailable = rootSkipReason() === undefined ? fanotifyUnavailableReason(true) : undefined;
const skip = rootSkipReason() ?? (unavailable && `fanotify unavailable here: ${unavailable}`);
let dir = '';
let file = '';

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tsem-taskfacts-'));
  chmodSync(dir, 0o755);
  file = join(dir, 'data');
  writeFileSync(file, 'data\n');
  chmodSync(file, 0o644);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function exited(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', () => resolve(c.pid ?? -1));
  });
}

/** A cache-enabled source whose consumer allows every held event as cacheable, keeping all. */
async function withSource(
  work: (seen: SourcedEvent[], src: FanotifySource) => Promise<void>
): Promise<SourcedEvent[]> {
  const src = new FanotifySource({
    watch: [{ path: dir, mark: 'directory' }],
    enforce: true,
    ignoreChildren: false,
    decisionTimeoutMs: 10_000,
    verdictCache: true,
  });
  await src.start();
  const seen: SourcedEvent[] = [];
  const consumer = (async () => {
    for await (const e of src) {
      seen.push(e);
      e.respond?.(true, true);
    }
  })();
  try {
    await work(seen, src);
    for (const end = Date.now() + 5000; src.stats()['queued'] !== 0 && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    await src.stop();
    await consumer;
  }
  return seen;
}

const opens = (seen: SourcedEvent[]) =>
  seen.filter((e) => e.event.event.type === 'file_open' && JSON.stringify(e.event).includes(file));

test(
  'a setuid between two opens of one file is seen: the event carries the new credentials and asks again',
  { skip },
  async () => {
    const script = `
    const fs = require('fs');
    const f = process.argv[1];
    fs.closeSync(fs.openSync(f, 'r'));
    fs.closeSync(fs.openSync(f, 'r'));
    process.setgid(1);
    process.setuid(1);
    fs.closeSync(fs.openSync(f, 'r'));`;
    const seen = await withSource(async () => {
      await exited(process.execPath, ['-e', script, file]);
    });
    const ev = opens(seen);
    assert.equal(ev.length, 3, 'every open reported, the cached one too');
    assert.deepEqual(
      ev.map((e) => [e.respond !== undefined, e.onVerdict !== undefined]),
      [
        [true, false], // asked the engine, which filled the cache
        [false, true], // answered by the reader's cache, reported to the model
        [true, false], // new credentials: not the cached event, asked again
      ]
    );
    assert.deepEqual(
      ev.map((e) => [e.event.COE.uid, e.event.COE.euid, e.event.COE.fsuid, e.event.COE.egid]),
      [
        ['0', '0', '0', '0'],
        ['0', '0', '0', '0'],
        ['1', '1', '1', '1'],
      ]
    );
    assert.equal(new Set(ev.map((e) => e.event.event.start)).size, 1, 'one task');
  }
);

/** Spawns `cmd` so that it gets pid `pid` (the next pid after ns_last_pid), or returns false. */
async function spawnAsPid(pid: number, cmd: string, args: string[]): Promise<boolean> {
  writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
  return (await exited(cmd, args)) === pid;
}

test(
  'a reused pid (another start time) is another task: its own facts, no cached verdict',
  { skip },
  async () => {
    const lastPid = readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8');
    let reused = false;
    const seen = await withSource(async () => {
      // Another process may take the pid in between: try again with a new first process.
      for (let attempt = 0; attempt < 20 && !reused; attempt++) {
        const first = await exited('/bin/cat', [file]);
        await new Promise((r) => setTimeout(r, 20)); // a clock tick apart: another start time
        reused = await spawnAsPid(first, '/usr/bin/head', ['-c', '1', file]);
      }
    });
    writeFileSync('/proc/sys/kernel/ns_last_pid', lastPid.trim());
    assert.ok(reused, 'a pid was reused (ns_last_pid)');
    const ev = opens(seen);
    const head = ev.at(-1)!;
    const cat = ev.at(-2)!;
    assert.equal(head.event.event.pid, cat.event.event.pid, 'the same pid');
    assert.deepEqual(
      [cat.event.event.process, head.event.event.process],
      ['cat', 'head'],
      "the second process's own comm"
    );
    assert.notEqual(head.event.event.start, cat.event.event.start, 'its own start time');
    assert.ok(
      head.respond !== undefined && head.onVerdict === undefined,
      'asked again, not cached'
    );
  }
);
