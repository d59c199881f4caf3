/**
 * Real enforcement end to end (root): the fanotify source feeds the engine in-process; a namespace
 * trained on one program and sealed in enforce mode denies a different program's exec with EPERM
 * while the trained one still runs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { feedSource } from '../../engine/feed-source.js';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import {
  FanotifySource,
  fanotifyUnavailableReason,
} from '../../exporter/fanotify/fanotify-source.js';
import { rootSkipReason } from '../helpers/repo.js';
import { bindMount } from '../helpers/kernel.js';
import { heldLine } from '../helpers/events.js';

const skip = rootSkipReason() ?? fanotifyUnavailableReason(true);

function run(cmd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('sh', ['-c', cmd]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test(
  'sealed enforce namespace: the trained program runs, another program is denied with EPERM',
  { skip },
  async () => {
    // The enforce mark stays on a bind mount of the test's own, never on the root mount.
    const disk = bindMount();
    if (disk.skip) throw new Error(`this test needs a mount of its own: ${disk.skip}`);
    const dir = disk.dir;
    const unmount = () => disk.unmount();
    process.once('exit', unmount);
    const data = mkdtempSync(join(tmpdir(), 'tsem-fan-data-'));
    const trained = join(dir, 'trained-echo');
    const other = join(dir, 'other-echo');
    copyFileSync('/bin/echo', trained);
    copyFileSync('/bin/true', other);
    chmodSync(trained, 0o755);
    chmodSync(other, 0o755);
    let engine: RunningEngine | undefined;
    const source = new FanotifySource({
      watch: [{ path: dir, mark: 'directory' }],
      enforce: true,
      decisionTimeoutMs: 10_000,
      failMode: 'closed',
      ignoreChildren: false,
      namespace: { kind: 'host', name: 'host' },
    });
    try {
      engine = await startEngine({ listen: '127.0.0.1:0', dataDir: data, log: () => undefined });
      await source.start();
      const feeding = feedSource(source, engine.submit, { host: 'local', exporter: 'fanotify' });
      // Training: the program's exec (and what it opens in the watched directory) becomes the model.
      for (let i = 0; i < 2; i++)
        assert.equal((await run(`${trained} trained`)).stdout, 'trained\n');
      const ns = engine.registry.require('host');
      assert.ok(ns.pointCount >= 1, 'training recorded points');
      ns.setMode('enforce');
      const ok = await run(`${trained} still-runs`);
      assert.deepEqual([ok.code, ok.stdout], [0, 'still-runs\n']);
      const denied = await run(other);
      assert.equal(denied.code, 126, denied.stderr);
      assert.match(denied.stderr, /Operation not permitted/);
      assert.ok(ns.forensics().length >= 1);
      assert.match(heldLine(ns.forensics().at(0)!), /other-echo/);
      await source.stop();
      await feeding;
    } finally {
      await source.stop();
      await engine?.stop();
      unmount();
      process.off('exit', unmount);
      rmSync(data, { recursive: true, force: true });
    }
  }
);
