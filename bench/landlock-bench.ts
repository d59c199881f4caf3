/**
 * Landlock benchmark: the cost of open(2) for a process in a canister confined by a Landlock
 * ruleset (the launcher's --landlock step), against the same launcher without it, and against
 * opens held by fanotify and decided by the engine (source → model → LevelDB → verdict), all in
 * one run; returns the figures (`npm run bench -- --json`). fanotify needs root (skipped otherwise).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from '../cli/run/launch.js';
import { confinementArgs } from '../cli/run/launch-plan.js';
import { startEngine } from '../daemon/start-engine.js';
import type { CompiledRuleset, PathRule } from '../engine/landlock/compile.js';
import { fitToAbi, launcherRulesetFile } from '../engine/landlock/fit.js';
import { feedSource } from '../engine/feed-source.js';
import { FanotifySource } from '../exporter/fanotify/fanotify-source.js';
import { probeLandlock } from '../native/landlock.js';
import { launcherPath } from '../native/launcher.js';

const FILES = 50;
const OPENS = 5000;

/** Opens the files round-robin and prints each open's latency in ns, one per line. */
const CHILD = `
const fs = require('fs');
const [dir, files, opens] = process.argv.slice(1);
const out = new Array(Number(opens));
for (let i = 0; i < out.length; i++) {
  const p = dir + '/f' + (i % Number(files));
  const t = process.hrtime.bigint();
  fs.closeSync(fs.openSync(p, 'r'));
  out[i] = process.hrtime.bigint() - t;
}
fs.writeFileSync(dir + '/latencies', out.join('\\n'));
`;

interface Figures {
  readonly p50_us: number;
  readonly p99_us: number;
  readonly mean_us: number;
}

function figures(ns: number[]): Figures {
  const s = [...ns].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]! / 1000;
  return {
    p50_us: at(0.5),
    p99_us: at(0.99),
    mean_us: s.reduce((a, b) => a + b, 0) / s.length / 1000,
  };
}

async function viaLauncher(dir: string, ruleset?: string): Promise<Figures> {
  const args = ['-e', CHILD, dir, String(FILES), String(OPENS)];
  const l = launch(
    launcherPath(),
    [
      ...(ruleset ? confinementArgs({ noNewPrivs: true, landlock: true }) : []),
      '--',
      process.execPath,
      ...args,
    ],
    ruleset
  );
  const r = await l.ended;
  await l.release();
  if (r.status !== 0) throw new Error(`bench child exited ${r.status} ${r.failure?.text ?? ''}`);
  const { readFileSync } = await import('node:fs');
  return figures(readFileSync(join(dir, 'latencies'), 'utf8').split('\n').map(Number));
}

function plain(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', CHILD, dir, String(FILES), String(OPENS)], {
      stdio: 'inherit',
    });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}`))));
  });
}

/** What node needs to start, the bench files to read and the latencies file to write. */
function ruleset(dir: string, abi: number): string {
  const rule = (path: string, access: PathRule['access']): PathRule => ({
    path,
    access,
    reasons: [],
  });
  const r: CompiledRuleset = {
    handledFs: ['execute', 'write_file', 'read_file', 'truncate'],
    handledNet: ['bind_tcp', 'connect_tcp'],
    scoped: ['signal', 'abstract_unix_socket'],
    paths: [
      ...['/usr', '/lib', '/lib64', '/bin', '/etc', process.execPath].map((p) =>
        rule(p, ['execute', 'read_file'])
      ),
      rule('/proc', ['read_file']),
      rule('/sys', ['read_file']),
      rule('/dev', ['read_file', 'write_file']),
      ...Array.from({ length: FILES }, (_, i) => rule(join(dir, `f${i}`), ['read_file'])),
      rule(join(dir, 'latencies'), ['write_file', 'truncate']),
    ],
    ports: [],
    unexpressed: [],
    decisions: [],
    points: 0,
  };
  return launcherRulesetFile(fitToAbi(r, abi));
}

export async function runLandlockBench(): Promise<object | undefined> {
  const probe = probeLandlock();
  if (!probe.ok) {
    console.log(`  skipped: ${probe.reason}`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsem-llbench-'));
  try {
    for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `f${i}`), Buffer.alloc(4096, i));
    await plain(dir); // warm the page cache
    const rules = ruleset(dir, probe.abi);
    const unconfined = await viaLauncher(dir);
    const confined = await viaLauncher(dir, rules);
    let held: Figures | undefined;
    const heldWhy = 'needs root (fanotify_init)';
    if (process.getuid?.() === 0) {
      const dataDir = mkdtempSync(join(tmpdir(), 'tsem-llbench-data-'));
      const engine = await startEngine({ listen: '127.0.0.1:0', dataDir, log: () => undefined });
      const src = new FanotifySource({
        watch: [{ path: dir, mark: 'directory' }],
        enforce: true,
        ignoreChildren: false,
        namespace: { kind: 'host', name: 'bench' },
      });
      try {
        await src.start();
        const feeding = feedSource(src, engine.submit, { host: 'local', exporter: 'fanotify' });
        held = await viaLauncher(dir);
        await src.stop();
        await feeding;
      } finally {
        await engine.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    const out = {
      opens: OPENS,
      files: FILES,
      landlock_abi: probe.abi,
      rules: rules.split('\n').filter((l) => l.startsWith('path ')).length,
      unconfined,
      landlock: confined,
      fanotify_held: held ?? null,
      ...(held ? {} : { fanotify_held_skipped: heldWhy }),
    };
    const f = (x: Figures) =>
      `p50 ${x.p50_us.toFixed(2)} µs, p99 ${x.p99_us.toFixed(2)} µs, mean ${x.mean_us.toFixed(2)} µs`;
    console.log(
      `  open(2)+close of ${FILES} files of 4 KiB, ${OPENS} opens, one process per case:`
    );
    console.log(`    unconfined canister                 ${f(unconfined)}`);
    console.log(`    Landlock-confined (ABI ${probe.abi}, ${out.rules} path rules) ${f(confined)}`);
    console.log(
      `    fanotify-held, engine decides       ${held ? f(held) : `skipped: ${heldWhy}`}`
    );
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
