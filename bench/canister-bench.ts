/**
 * Canister benchmark (`tsem run`): what the launcher helper adds to starting a process (a plain
 * spawn of /bin/true against the helper without and with new namespaces and a cgroup), a whole
 * `tsem run` against a plain `node` start (registration, settle and finish included), and the
 * cost of pid → cgroup lookups (cached, and read from /proc). Prints figures; root parts skip
 * with a reason.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from '../cli/run/launch.js';
import { startEngine } from '../daemon/start-engine.js';
import { cgroup2Mount, TaskCgroups } from '../exporter/host/cgroup.js';
import { launcherPath } from '../native/launcher.js';
import { type BenchReport, type Figure, round } from './report.js';

const LAUNCHES = 40;
const RUNS = 5;

function spawnTrue(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', () => resolve());
  });
}

async function meanMs(n: number, once: () => Promise<void>): Promise<number> {
  await once(); // warm
  const t = performance.now();
  for (let i = 0; i < n; i++) await once();
  return (performance.now() - t) / n;
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

export async function runCanisterBench(r: BenchReport): Promise<void> {
  const fig: Record<string, Figure> = {};
  try {
    await measure(r, fig);
  } finally {
    r.figures(fig);
  }
}

async function measure(r: BenchReport, fig: Record<string, Figure>): Promise<void> {
  const helper = launcherPath();
  const viaHelper = (args: string[]) => async () => {
    const l = launch(helper, [...args, '--', '/bin/true']);
    await l.ended;
    await l.release();
  };
  r.say(`  start and end /bin/true, mean of ${LAUNCHES}:`);
  r.say(
    `    plain spawn                        ${ms((fig['spawn_ms'] = round(await meanMs(LAUNCHES, () => spawnTrue('/bin/true', [])), 2)))}`
  );
  r.say(
    `    through the launcher               ${ms((fig['launcher_ms'] = round(await meanMs(LAUNCHES, viaHelper([])), 2)))}`
  );
  const root = process.getuid?.() === 0;
  const mount = cgroup2Mount();
  if (!root || !mount) {
    r.say(
      `    (namespaces, cgroup, tsem run: skipped, ${root ? 'no cgroup v2 hierarchy' : 'needs root'})`
    );
  } else {
    r.say(
      `    launcher --unshare pid,mnt,net     ${ms(await meanMs(LAUNCHES, viaHelper(['--unshare', 'pid,mnt,net'])))}`
    );
    const cg = join(mount, `tsem-bench-${process.pid}`);
    mkdirSync(cg);
    try {
      r.say(
        `    launcher --cgroup                  ${ms(await meanMs(LAUNCHES, viaHelper(['--cgroup', cg])))}`
      );
    } finally {
      rmdirSync(cg);
    }
    const dir = mkdtempSync(join(tmpdir(), 'tsem-bench-canister-'));
    const engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      log: () => undefined,
      canisterGraceMs: 1000,
    });
    try {
      const bin = join(process.cwd(), 'bin', 'tsem.js');
      const conn = ['--server', engine.address, '--data', dir, '--quiet'];
      r.say(`  a whole run of /bin/true, mean of ${RUNS} (node's own start included):`);
      r.say(
        `    node -e ''                         ${ms(await meanMs(RUNS, () => spawnTrue(process.execPath, ['-e', ''])))}`
      );
      let i = 0;
      const run = (settle: string) => () =>
        spawnTrue(process.execPath, [
          bin,
          'run',
          ...conn,
          '--settle-ms',
          settle,
          '--namespace',
          `bench${i++}`,
          '--',
          '/bin/true',
        ]);
      r.say(`    tsem run (settle 250 ms, default)  ${ms(await meanMs(RUNS, run('250')))}`);
      r.say(`    tsem run --settle-ms 0             ${ms(await meanMs(RUNS, run('0')))}`);
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!mount) return;
  const cg = new TaskCgroups({ ttlMs: 60_000 });
  const N = 100_000;
  let t = performance.now();
  for (let k = 0; k < N; k++) cg.of(process.pid);
  const cached = ((performance.now() - t) * 1000) / N;
  t = performance.now();
  for (let k = 0; k < N / 10; k++) cg.of(process.pid, { fresh: true });
  const fresh = ((performance.now() - t) * 1000) / (N / 10);
  fig['pid_cgroup_cached_us'] = round(cached, 2);
  fig['pid_cgroup_fresh_us'] = round(fresh, 1);
  r.say(
    `  pid -> cgroup id: cached ${cached.toFixed(2)} µs, read from /proc ${fresh.toFixed(1)} µs per lookup`
  );
}
