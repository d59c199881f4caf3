/**
 * For canister (`tsem run`) tests: why they cannot run here, a tmpfs the test mounts and watches
 * (never `/`), `tsem run` as a real child process, and where canister cgroups live.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroup2Mount } from '../../exporter/host/cgroup.js';
import { fanotifyUnavailableReason } from '../../exporter/fanotify/fanotify-source.js';
import { LAUNCHER_RELATIVE } from '../../native/launcher.js';
import { repoRoot, rootSkipReason } from './repo.js';

/** Why canister tests are skipped here (root, fanotify permission events, cgroup v2, the helper). */
export function canisterSkipReason(): string | undefined {
  if (rootSkipReason()) return rootSkipReason();
  if (!cgroup2Mount()) return 'no cgroup v2 hierarchy mounted';
  if (!existsSync(join(repoRoot(), LAUNCHER_RELATIVE))) return `${LAUNCHER_RELATIVE} not built`;
  return fanotifyUnavailableReason(true);
}

export interface Tmpfs {
  readonly dir: string;
  /** Copies a host binary into the tmpfs under `name` (mode 0755); returns its path. */
  program(from: string, name: string): string;
  unmount(): void;
}

/** A tmpfs of its own (a filesystem fanotify can mark without seeing anything else). */
export function mountTmpfs(): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-canister-fs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tsem-canister', dir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`mount tmpfs on ${dir}: ${r.stderr}`);
  return {
    dir,
    program(from, name) {
      const p = join(dir, name);
      copyFileSync(from, p);
      chmodSync(p, 0o755);
      return p;
    },
    unmount() {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `tsem ARGS…` as a child process (`tsem run` must not share the test's process). */
export function tsem(
  args: readonly string[],
  opts: { prefix?: readonly string[] } = {}
): Promise<RunResult> {
  const bin = join(repoRoot(), 'bin', 'tsem.js');
  const [cmd, ...rest] = [...(opts.prefix ?? []), process.execPath, bin, ...args];
  return new Promise((resolve) => {
    const p = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The JSON summary `tsem run --json` writes on stderr (its last line). */
export function runSummaryOf(r: RunResult): Record<string, unknown> {
  const line = r.stderr.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`no JSON summary in: ${r.stderr}`);
  }
}

/** The canister cgroups that exist now (names under <v2 mount>/tsem). */
export function canisterCgroups(): string[] {
  const parent = join(cgroup2Mount() ?? '/nonexistent', 'tsem');
  if (!existsSync(parent)) return [];
  return readdirSync(parent, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
}
