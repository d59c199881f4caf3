/**
 * Opens files from a child process (one process per call, so a verdict cache keyed by the process
 * starts empty for it) and says how each open went, for the fanotify enforcement tests.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Opens each of `names` in `dir` in order and prints 'ok' or the error code of each, as JSON. */
const OPENER = `
const fs = require('fs');
const [dir, names] = [process.argv[1], JSON.parse(process.argv[2])];
const out = names.map((n) => {
  try { fs.closeSync(fs.openSync(dir + '/' + n, 'r')); return 'ok'; } catch (e) { return e.code; }
});
process.stdout.write(JSON.stringify(out));
`;

/** 'ok' or the error code (EPERM, …) of each open, in order. */
export function opens(dir: string, names: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', OPENER, dir, JSON.stringify(names)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('close', () => resolve(JSON.parse(out) as string[]));
  });
}

/** Polls `ok` every 20 ms until it holds; rejects naming `what` after `ms`. */
export async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !ok();) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const FILES = ['f0', 'f1', 'f2', 'f3'];
const ok = (n: number) => Array<string>(n).fill('ok');

/**
 * The trace both verdict-cache tests run, and the answers a correct enforcer gives it: learn every
 * file twice in one process (the second pass is on-contour: cacheable); enforce: the known files
 * three times over, an unknown one (denied, the task turns untrusted), then a known one again,
 * denied too however it was answered before.
 */
export const CACHE_TRACE = {
  learn: [...FILES, ...FILES],
  enforce: [...FILES, ...FILES, ...FILES, 'unknown', 'f0'],
  answers: { learned: ok(8), enforced: [...ok(12), 'EPERM', 'EPERM'] },
  /** Enforce's second and third passes: what a cache per process answers. */
  hits: 8,
};

/** A directory (mode 0755) holding the trace's files and `extra` ones, 4 bytes or so each. */
export function traceDir(prefix: string, extra: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  for (const [i, f] of [...FILES, 'unknown', ...extra].entries())
    writeFileSync(join(dir, f), `content ${i}\n`);
  return dir;
}

/**
 * What both verdict-cache tests check first: without the cache the trace gets a correct enforcer's
 * answers and no hits; with it, the same answers, its repeated opens answered by the reader.
 */
export function assertCacheTrace(
  without: { answers: unknown; hits: number },
  withCache: { answers: unknown; hits: number }
): void {
  assert.deepEqual(without.answers, CACHE_TRACE.answers);
  assert.deepEqual(withCache.answers, without.answers, 'the processes see the same answers');
  assert.equal(without.hits, 0);
  assert.equal(
    withCache.hits,
    CACHE_TRACE.hits,
    'repeated on-contour opens answered by the reader'
  );
}
