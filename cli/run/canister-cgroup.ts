/**
 * The canister's cgroup in the v2 hierarchy: created by `tsem run` under <mount>/tsem (named
 * PID-START-NAME after the tsem run process that owns it, so a later run can tell a cgroup left by
 * a killed run from a live one), or an existing one (`--cgroup PATH`, `--unit NAME` for a systemd
 * unit's). A cgroup tsem run created is emptied (its leftover processes killed) and removed when
 * the workload ends; an existing one is left as it is.
 */
import { execFile } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { CGROUP2_SUPER_MAGIC, cgroupIdOf } from '../../exporter/host/cgroup.js';
import { RunError } from './run-error.js';

/** Canister cgroups tsem run creates live under <v2 mount>/tsem. */
export const CANISTER_PARENT = 'tsem';

export interface CanisterCgroup {
  /** The directory in the v2 mount. */
  readonly dir: string;
  /** The path in the v2 hierarchy, as /proc/PID/cgroup shows it ("/tsem/4242-99-web"). */
  readonly path: string;
  /** The cgroup id (its directory's inode number), decimal. */
  readonly id: string;
  /** Created by this run: emptied and removed at the end. */
  readonly owned: boolean;
}

function cgroupPathOf(mount: string, dir: string): string {
  return `/${relative(mount, dir)}`.replace(/^\/$/, '/');
}

/** Field 22 of /proc/PID/stat (start time in clock ticks): with the pid, a process's identity. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A new canister cgroup owned by this process. */
export function createCanisterCgroup(mount: string, name: string): CanisterCgroup {
  const parent = join(mount, CANISTER_PARENT);
  const dir = join(parent, `${process.pid}-${processStartTicks(process.pid) ?? 0}-${name}`);
  try {
    try {
      mkdirSync(parent, { recursive: true, mode: 0o755 });
      mkdirSync(dir, { mode: 0o755 });
    } catch (err) {
      // Another run removed the empty parent in between: once more.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(parent, { recursive: true, mode: 0o755 });
      mkdirSync(dir, { mode: 0o755 });
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RunError(
      `cannot create the canister's cgroup ${dir}: ${code}${code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? ' (tsem run needs root, or a delegated cgroup: --cgroup PATH)' : ''}`
    );
  }
  return { dir, path: cgroupPathOf(mount, dir), id: cgroupIdOf(dir), owned: true };
}

/** An existing cgroup: a path in the v2 hierarchy ("/system.slice/web.service") or a directory under the mount. */
export function existingCgroup(mount: string, path: string): CanisterCgroup {
  const dir = path.startsWith(`${mount}/`) ? path : join(mount, path);
  let magic: number;
  try {
    magic = statfsSync(dir).type;
  } catch (err) {
    throw new RunError(
      `--cgroup ${path}: ${dir} does not exist (${(err as NodeJS.ErrnoException).code}); expected a cgroup of the v2 hierarchy at ${mount}`
    );
  }
  if (magic !== CGROUP2_SUPER_MAGIC)
    throw new RunError(`--cgroup ${path}: ${dir} is not in the cgroup v2 hierarchy (${mount})`);
  return { dir, path: cgroupPathOf(mount, dir), id: cgroupIdOf(dir), owned: false };
}

/** A systemd unit's cgroup path (`systemctl show -p ControlGroup`). */
export async function unitCgroupPath(unit: string): Promise<string> {
  let out: string;
  try {
    out = (
      await promisify(execFile)('systemctl', [
        'show',
        '--property=ControlGroup',
        '--value',
        '--',
        unit,
      ])
    ).stdout;
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string };
    throw new RunError(
      `--unit ${unit}: ${e.code === 'ENOENT' ? 'systemctl is not installed' : `systemctl failed: ${(e.stderr ?? String(err)).trim()}`}`
    );
  }
  return parseControlGroup(unit, out);
}

export function parseControlGroup(unit: string, systemctlOutput: string): string {
  const path = systemctlOutput.trim();
  if (!path.startsWith('/'))
    throw new RunError(`--unit ${unit}: the unit has no cgroup (is it loaded and running?)`);
  return path;
}

function populated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

function procs(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Kills every process left in the cgroup (cgroup.kill, else SIGKILL each) and waits until it is empty. */
export async function emptyCgroup(dir: string, timeoutMs = 5000): Promise<boolean> {
  if (!populated(dir)) return true;
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    for (const pid of procs(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (populated(dir)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Removes an owned, empty canister cgroup; false when it is still busy. */
export function removeCgroup(c: CanisterCgroup): boolean {
  if (!c.owned) return true;
  try {
    rmdirSync(c.dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
  }
  // The shared parent goes with the last canister (it stays while another one runs).
  try {
    rmdirSync(dirname(c.dir));
  } catch {
    // busy, or gone already
  }
  return true;
}

export interface SweepResult {
  /** Empty cgroups of runs that are gone, removed. */
  readonly removed: string[];
  /** Cgroups of runs that are gone that still hold processes (left alone). */
  readonly busy: string[];
}

/** Removes the empty canister cgroups left by tsem runs that were killed (their owner is gone). */
export function sweepStaleCanisters(mount: string): SweepResult {
  const parent = join(mount, CANISTER_PARENT);
  const removed: string[] = [];
  const busy: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return { removed, busy };
  }
  for (const name of names) {
    const m = /^(\d+)-(\d+)-/.exec(name);
    if (!m) continue; // not ours
    if (processStartTicks(Number(m[1])) === m[2]) continue; // its run is alive
    const c = { dir: join(parent, name), path: '', id: '', owned: true };
    if (populated(c.dir)) busy.push(cgroupPathOf(mount, c.dir));
    else if (removeCgroup(c)) removed.push(cgroupPathOf(mount, c.dir));
  }
  return { removed, busy };
}
