/**
 * Corruption is found at start, never silently dropped: LevelDB (no paranoid checks) skips a
 * write-ahead log record whose checksum fails, with everything after it in its block; the engine
 * scans the logs first and compares each namespace with its high-water mark. It refuses to start,
 * naming the namespace, unless told to salvage.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineError } from '../common/errors.js';
import { startEngine } from '../daemon/start-engine.js';
import { createScenario } from '../exporter/sim/index.js';

const origin = { host: 'h', exporter: 'test' };
const events = (seed: number) =>
  [...createScenario('nginx', { seed, iterations: 1 }).events()].map((obj) => ({ obj }));

/** A store whose newest write-ahead log holds several batches of namespace `web`. */
async function writtenStore(): Promise<{ dir: string; events: number; log: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-corrupt-'));
  const e = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    daemonRegistry: false,
    log: () => undefined,
  });
  for (let seed = 1; seed <= 6; seed++) await e.submit('web', origin, events(seed));
  const n = e.registry.require('web').eventCount;
  await e.stop();
  const store = join(dir, 'store');
  const logs = readdirSync(store).filter((f) => f.endsWith('.log'));
  const log = join(store, logs.sort().at(-1)!);
  return { dir, events: n, log };
}

const start = (dir: string, salvage = false, said: string[] = []) =>
  startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    daemonRegistry: false,
    salvage,
    log: (m) => said.push(m),
  });

test('a flipped byte in the write-ahead log refuses the start naming the namespace; --salvage goes on', async () => {
  const { dir, events: acknowledged, log } = await writtenStore();
  try {
    const bytes = readFileSync(log);
    assert.ok(bytes.length > 40_000, 'the log spans blocks');
    const at = Math.floor(bytes.length / 3);
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(log, bytes);
    await assert.rejects(start(dir), (e: Error) => {
      assert.ok(e instanceof EngineError && e.code === 'TSEM_STORE');
      assert.match(e.message, /lost acknowledged data/);
      assert.match(e.message, /checksum mismatch/);
      assert.match(e.message, /namespace web/);
      return true;
    });
    const said: string[] = [];
    const salvaged = await start(dir, true, said);
    try {
      // What LevelDB skipped may have been rewritten by later batches, or not: the start says so.
      const held = salvaged.registry.get('web')?.eventCount ?? 0;
      assert.ok(held <= acknowledged);
      assert.ok(
        said.some((l) => /salvage: write-ahead log .*checksum mismatch.*namespace web/.test(l)),
        said.join('\n')
      );
    } finally {
      await salvaged.stop();
    }
    // Salvaged: the mark now vouches for what is left, and the next start is clean.
    const again = await start(dir);
    await again.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('acknowledged records missing from the store (a cut log) are found by the high-water mark', async () => {
  const { dir, events: acknowledged, log } = await writtenStore();
  try {
    // Cut the log at a block boundary: every record checks, but the last batches are gone.
    const size = statSync(log).size;
    const cut = Math.floor(size / 2 / 32768) * 32768;
    assert.ok(cut > 0);
    writeFileSync(log, readFileSync(log).subarray(0, cut));
    await assert.rejects(start(dir), (e: Error) => {
      assert.match(
        e.message,
        new RegExp(
          `namespace web: the store holds \\d+ events, but ${acknowledged} were acknowledged`
        )
      );
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
