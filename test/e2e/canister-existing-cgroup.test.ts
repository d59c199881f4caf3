/**
 * `tsem run --cgroup PATH`, as for a systemd unit's cgroup (root: fanotify on a tmpfs the test
 * mounts, cgroups): the workload joins an existing cgroup; every process of that cgroup, one that
 * was there before included, is modeled in the canister's namespace while it runs; the cgroup and
 * its other processes are left as they were.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { launch } from '../../cli/run/launch.js';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import type { NamespaceModel } from '../../engine/ns/namespace-model.js';
import { cgroup2Mount } from '../../exporter/host/cgroup.js';
import { launcherPath } from '../../native/launcher.js';
import { canisterSkipReason, mountTmpfs, tsem } from '../helpers/canister.js';
import { heldLine } from '../helpers/events.js';

const skip = canisterSkipReason();

function execs(ns: NamespaceModel | undefined): string[] {
  return (ns?.trajectory() ?? [])
    .map(
      (e) =>
        JSON.parse(heldLine(e)) as {
          file_open?: { file: { flags: string; path: { pathname: string } } };
        }
    )
    .filter((j) => j.file_open?.file.flags === '32800')
    .map((j) => j.file_open!.file.path.pathname);
}

test(
  '--cgroup: an existing cgroup is routed while the canister runs, and left in place',
  { skip },
  async () => {
    const fs = mountTmpfs();
    const dir = mkdtempSync(join(tmpdir(), 'tsem-canister-existing-'));
    const unit = `/tsem-e2e-unit-${process.pid}`;
    const cgDir = join(cgroup2Mount()!, unit);
    mkdirSync(cgDir);
    let engine: RunningEngine | undefined;
    let resident: ReturnType<typeof launch> | undefined;
    try {
      const early = fs.program('/bin/true', 'early');
      const late = fs.program('/bin/true', 'late');
      const before = fs.program('/bin/true', 'before');
      engine = await startEngine({
        listen: '127.0.0.1:0',
        dataDir: join(dir, 'data'),
        log: () => undefined,
        sources: [{ kind: 'fanotify', watch: [fs.dir], enforce: true, decisionTimeoutMs: 10_000 }],
      });
      const go = join(dir, 'go');
      const ran = join(dir, 'resident-ran');
      // A process of the "unit" from before the canister: it execs once before, once during it.
      resident = launch(launcherPath(), [
        '--cgroup',
        cgDir,
        '--',
        'sh',
        '-c',
        `${before}; until [ -e ${go} ]; do sleep 0.02; done; ${early}; : > ${ran}; sleep 30`,
      ]);
      while (readFileSync(join(cgDir, 'cgroup.procs'), 'utf8').trim() === '')
        await new Promise((r) => setTimeout(r, 20));
      const r = await tsem([
        'run',
        '--server',
        engine.address,
        '--data',
        join(dir, 'data'),
        '--cgroup',
        unit,
        '--namespace',
        'unit',
        '--json',
        '--',
        'sh',
        '-c',
        `: > ${go}; until [ -e ${ran} ]; do sleep 0.02; done; ${late}`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        execs(engine.registry.get('unit')).sort(),
        [early, late].sort(),
        'both processes of the cgroup, only while it ran'
      );
      const elsewhere = engine.registry
        .list()
        .filter((ns) => ns.id !== 'unit')
        .flatMap((ns) => execs(ns));
      assert.ok(elsewhere.includes(before), "before the canister: the source's own namespace");
      assert.ok(!elsewhere.includes(early) && !elsewhere.includes(late), 'none of it elsewhere');
      assert.ok(existsSync(cgDir), 'the cgroup is left in place');
      assert.notEqual(
        readFileSync(join(cgDir, 'cgroup.procs'), 'utf8').trim(),
        '',
        'and its other process runs on'
      );
    } finally {
      if (resident) {
        for (const pid of readFileSync(join(cgDir, 'cgroup.procs'), 'utf8')
          .split('\n')
          .filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone
          }
        }
        await resident.ended;
        await resident.release();
      }
      rmdirSync(cgDir);
      await engine?.stop();
      fs.unmount();
      rmSync(dir, { recursive: true, force: true });
    }
  }
);
