/**
 * Disk full (root: a small tmpfs of its own). While the store cannot write, nothing more is
 * acknowledged and the in-memory model holds only what the store holds, plus the security
 * transitions of the failed batches (an off-contour point, an untrusted task), which are never
 * rolled back; once the disk has room, the store is reopened, those are written first, and
 * ingest goes on. After a restart, every acknowledged event is there.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import type { IncomingEvent, Outcome } from '../../engine/ns/pipeline.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { mountTmpfs } from '../helpers/kernel.js';

const disk = mountTmpfs('6m');
after(() => disk.unmount());

const D = (s: string) => createHash('sha256').update(s).digest('hex');
let next = 0;
/** A batch of opens of new files: every event a new point, so every batch writes. */
function batch(pid = 100, n = 200): IncomingEvent[] {
  return Array.from({ length: n }, () => {
    const path = `/data/file-${next++}-${'x'.repeat(200)}`;
    return { obj: sourceEvent(pid, 'file_open', { file: fileCell(path, D(path)) }) };
  });
}

/** Fills the filesystem, leaving about `room` bytes. */
function fill(path: string, room: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      const st = statfsSync(disk.dir);
      const free = st.bavail * st.bsize;
      if (free <= room) break;
      writeSync(fd, chunk, 0, Math.min(chunk.length, free - room));
    }
  } finally {
    closeSync(fd);
  }
}

const acked = (out: readonly Outcome[]) => out.filter((o) => o.verdict !== undefined).length;

test(
  'disk full: nothing acknowledged is lost; memory holds only what the store holds',
  { skip: disk.skip },
  async () => {
    const data = join(disk.dir, 'data');
    const filler = join(disk.dir, 'filler');
    const origin = { host: 'h', exporter: 'test' };
    const said: string[] = [];
    const opts = {
      listen: '127.0.0.1:0',
      dataDir: data,
      daemonRegistry: false as const,
      log: (m: string) => said.push(m),
    };
    let engine: RunningEngine = await startEngine(opts);
    let ackedEvents = 0;
    try {
      ackedEvents += acked(await engine.submit('web', origin, batch()));
      engine.registry.require('web').setMode('sealed');
      fill(filler, 256 * 1024);

      // Write until the disk is full; the failed batch holds an off-contour event (sealed mode).
      let failedAt = -1;
      let forensicsAcked = 0;
      for (let i = 0; i < 200 && failedAt < 0; i++) {
        forensicsAcked = engine.registry.require('web').forensics().length;
        const out = await engine.submit('web', origin, batch(200 + i));
        if (out.some((o) => 'error' in o)) {
          failedAt = i;
          assert.ok(
            out.every((o) => 'error' in o && /not persisted/.test(o.error)),
            'all or nothing'
          );
        } else ackedEvents += acked(out);
      }
      assert.ok(failedAt >= 0, 'the disk filled up');
      assert.ok(engine.stopped(), 'ingest is stopped');
      // Held for a moment: the model went back to the acknowledged events, plus kept transitions.
      for (let i = 0; i < 50 && !said.some((l) => /not writable yet|writable again/.test(l)); i++)
        await new Promise((r) => setTimeout(r, 50));
      const ns = engine.registry.require('web');
      const kept = ns.forensics().length - forensicsAcked;
      // The disk fills on the batch itself (its forensic point is kept), or on the alert the batch
      // before raised: any failed write stops every writer (group-commit.ts), so this batch was
      // refused before it touched the model and there is nothing to keep.
      const first = said.find((l) => l.startsWith('store: write failed:')) ?? '';
      const batchFailed = /^store: write failed: writing \d+ records to /.test(first);
      assert.equal(
        kept,
        batchFailed ? 1 : 0,
        `the failed batch’s forensic point is kept (${first})`
      );
      assert.equal(
        ns.eventCount,
        ackedEvents + kept,
        'in memory: the acknowledged events and the kept forensics only'
      );
      assert.ok(ns.untrustedTaskCount() > 0, 'its untrusted tasks are kept');

      // While full, nothing is acknowledged and nothing is applied.
      const refused = await engine.submit('web', origin, batch(999));
      assert.ok(refused.every((o) => 'error' in o));
      assert.equal(engine.registry.require('web').eventCount, ackedEvents + kept);

      // Room again: the store is reopened within a few retries, the kept transitions go first.
      rmSync(filler);
      for (let i = 0; i < 100 && engine.stopped(); i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(engine.stopped(), undefined, `ingest resumed: ${said.join(' | ')}`);
      const more = await engine.submit('web', origin, batch(300, 50));
      assert.equal(acked(more), 50);
      ackedEvents += 50;
      const before = engine.registry.require('web');
      const figures = {
        events: before.eventCount,
        measurement: before.measurement.toString('hex'),
        forensics: before.forensics().length,
        untrusted: before.untrustedTaskCount(),
      };
      await engine.stop();

      engine = await startEngine(opts);
      const after = engine.registry.require('web');
      assert.deepEqual(
        {
          events: after.eventCount,
          measurement: after.measurement.toString('hex'),
          forensics: after.forensics().length,
          untrusted: after.untrustedTaskCount(),
        },
        figures
      );
      assert.equal(after.eventCount, ackedEvents + kept, 'every acknowledged event survived');
    } finally {
      await engine.stop();
    }
  }
);
