import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lineLog } from '../common/log.js';
import { startLoopWatchdog } from './loop-watchdog.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a stalled event loop is reported while it lasts, and again when it resumes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-watchdog-'));
  const file = join(dir, 'log');
  const fd = openSync(file, 'w');
  const logged: string[] = [];
  const w = startLoopWatchdog(
    lineLog((m) => void logged.push(m)),
    { stallMs: 200, fd }
  );
  try {
    await sleep(300); // the worker is up and the heartbeat runs
    const until = Date.now() + 1200;
    while (Date.now() < until) {
      // a busy loop: the main thread answers nothing, as under a backtracking regular expression
    }
    await sleep(300);
    assert.match(readFileSync(file, 'utf8'), /event loop stalled for \d+ ms/);
    assert.ok(w.reported() >= 1);
    assert.ok(w.stalls() >= 1);
    assert.ok(logged.some((l) => /resumed after a \d+ ms stall/.test(l)));
  } finally {
    await w.stop();
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
