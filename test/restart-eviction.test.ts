/**
 * "A restart resumes exactly" past the task table's bound (65,536 tasks): eviction follows the
 * order tasks were last set, and a restart must restore that order, not the store's key order,
 * or the namespace evicts other tasks and the measurement diverges from an uninterrupted run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEngine } from '../daemon/start-engine.js';
import { MAX_TASKS } from '../engine/ns/task-table.js';
import type { IncomingEvent } from '../engine/ns/pipeline.js';
import { fileCell, sourceEvent } from './helpers/events.js';

const D = (s: string) => Buffer.from(s.padEnd(32, '.')).toString('hex');
const exec = (pid: number): IncomingEvent => ({
  obj: sourceEvent(pid, 'bprm_committed_creds', {
    file: fileCell(`/bin/p${pid % 7}`, D(`p${pid % 7}`)),
  }),
});
const open = (pid: number): IncomingEvent => ({
  obj: sourceEvent(pid, 'file_open', { file: fileCell('/etc/hosts', D('hosts')) }),
});

/** Tasks 1..N exec a program (each gets a TASK_ID), then more tasks push the oldest out. */
function phases(): IncomingEvent[][] {
  const first: IncomingEvent[] = [];
  // Pids in an order whose key order differs from their insertion order.
  for (let pid = 1; pid <= MAX_TASKS; pid++) first.push(exec(pid));
  const second: IncomingEvent[] = [];
  for (let pid = MAX_TASKS + 1; pid <= MAX_TASKS + 3000; pid++) second.push(exec(pid));
  // Tasks that are still there keep their TASK_ID; evicted ones come back with the null one.
  for (let pid = 1; pid <= 6000; pid += 3) second.push(open(pid));
  return [first, second];
}

async function run(dataDir: string, restartBetween: boolean): Promise<string> {
  const origin = { host: 'h', exporter: 'test' };
  const opts = {
    listen: '127.0.0.1:0',
    dataDir,
    daemonRegistry: false as const,
    log: () => undefined,
  };
  let engine = await startEngine(opts);
  const [first, second] = phases();
  try {
    for (let i = 0; i < first!.length; i += 4096)
      await engine.submit('ns', origin, first!.slice(i, i + 4096));
    if (restartBetween) {
      await engine.stop();
      engine = await startEngine(opts);
    }
    for (let i = 0; i < second!.length; i += 4096)
      await engine.submit('ns', origin, second!.slice(i, i + 4096));
    const ns = engine.registry.require('ns');
    return `${ns.measurement.toString('hex')} ${ns.pointCount} ${ns.eventCount}`;
  } finally {
    await engine.stop();
  }
}

test(`a restart past ${MAX_TASKS} tasks evicts what the uninterrupted run evicts`, async () => {
  const a = mkdtempSync(join(tmpdir(), 'tsem-evict-a-'));
  const b = mkdtempSync(join(tmpdir(), 'tsem-evict-b-'));
  try {
    const uninterrupted = await run(a, false);
    const restarted = await run(b, true);
    assert.equal(restarted, uninterrupted);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
