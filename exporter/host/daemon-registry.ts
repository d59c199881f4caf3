/**
 * Which processes on this host are tsem daemons (engines and exporters), so that no source ever
 * reports another one's activity: two audit consumers that audit each other's reads of /proc feed
 * each other without end, and a fanotify mount mark sees another engine's store writes.
 *
 * Each root daemon registers itself as `<dir>/<pid>.json` = {pid, start, exe, role}, where the
 * directory (default /run/tsem/daemons, `$TSEM_RUN_DIR/daemons`) belongs to root and only root may
 * write it. An entry counts only when it cannot be forged or outlive its process: the file and the
 * directory are root's and not group- or world-writable, and the live process with that pid has
 * the recorded start time and executable and runs as root (real and effective uid 0). CLI commands
 * never register, and nothing is excluded for being some daemon's child, so workloads are always
 * seen. Stale entries (process gone, or the pid reused) are removed by whoever finds them.
 */
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  type FSWatcher,
  watch,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { readProcessIdentity } from './procfs.js';

export type DaemonRole = 'engine' | 'exporter';

/** What a source needs: the pids never to report, and word when they change. */
export interface ProcessExclusion {
  has(pid: number): boolean;
  pids(): readonly number[];
  /** Calls `cb` after every change; returns the unsubscribe function. */
  subscribe(cb: () => void): () => void;
}

interface Entry {
  readonly pid: number;
  readonly start: string;
  readonly exe: string;
  readonly role: DaemonRole;
}

const MAX_ENTRY_BYTES = 4096;
/** Liveness of known peers is re-checked this often (a gone daemon removes its file itself). */
const POLL_MS = 1000;

export function defaultRegistryDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['TSEM_RUN_DIR'] || '/run/tsem', 'daemons');
}

const isRoot = () => process.geteuid?.() === 0;

/** Root's, and nobody else may write it (lstat: a symlink is refused). */
function rootOnly(path: string, kind: 'dir' | 'file'): boolean {
  try {
    const st = lstatSync(path);
    if (kind === 'dir' ? !st.isDirectory() : !st.isFile()) return false;
    return st.uid === 0 && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function parseEntry(text: string): Entry | undefined {
  try {
    const e = JSON.parse(text) as Partial<Entry> | null;
    if (
      !e ||
      !Number.isInteger(e.pid) ||
      (e.pid ?? 0) <= 0 ||
      typeof e.start !== 'string' ||
      !/^\d+$/.test(e.start) ||
      typeof e.exe !== 'string' ||
      !e.exe.startsWith('/') ||
      (e.role !== 'engine' && e.role !== 'exporter')
    )
      return undefined;
    return e as Entry;
  } catch {
    return undefined;
  }
}

let registered: { dir: string; file: string } | undefined;

/**
 * Registers this process as a tsem daemon in `dir` (root only: returns false otherwise). Idempotent;
 * the entry is removed by unregisterDaemon() and, on any exit, by an exit handler.
 */
export function registerDaemon(role: DaemonRole, dir = defaultRegistryDir()): boolean {
  if (!isRoot()) return false;
  if (registered?.dir === dir) return true;
  const me = readProcessIdentity(process.pid);
  if (!me) return false;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch {
    return false;
  }
  if (!rootOnly(dir, 'dir')) return false;
  const file = join(dir, `${process.pid}.json`);
  const tmp = `${file}.tmp`;
  const entry: Entry = { pid: process.pid, start: me.start, exe: me.exe, role };
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, JSON.stringify(entry));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch {
    return false;
  }
  if (!registered) process.once('exit', unregisterDaemon);
  registered = { dir, file };
  return true;
}

export function unregisterDaemon(): void {
  if (!registered) return;
  rmSync(registered.file, { force: true });
  registered = undefined;
}

/** The verified tsem daemons of a registry directory, this process excluded. */
export function scanDaemons(dir = defaultRegistryDir()): Set<number> {
  const out = new Set<number>();
  if (!rootOnly(dir, 'dir')) return out;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const m = /^(\d+)\.json$/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    const path = join(dir, name);
    if (!rootOnly(path, 'file')) continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8').slice(0, MAX_ENTRY_BYTES);
    } catch {
      continue;
    }
    const e = parseEntry(text);
    if (!e || e.pid !== Number(m[1])) continue;
    const live = readProcessIdentity(e.pid);
    if (!live || live.start !== e.start) {
      // Its process is gone (or the pid now names another process): the entry is stale.
      if (isRoot()) rmSync(path, { force: true });
      continue;
    }
    if (live.exe === e.exe && live.uids[0] === 0 && live.uids[1] === 0) out.add(e.pid);
  }
  return out;
}

/** The daemons of one registry directory, kept current (inotify on it, and a liveness poll). */
export class DaemonPeers implements ProcessExclusion {
  private current: Set<number>;
  private readonly listeners = new Set<() => void>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly dir = defaultRegistryDir()) {
    this.current = scanDaemons(dir);
  }

  has(pid: number): boolean {
    return this.current.has(pid);
  }

  pids(): readonly number[] {
    return [...this.current];
  }

  subscribe(cb: () => void): () => void {
    this.listeners.add(cb);
    this.start();
    return () => {
      this.listeners.delete(cb);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Scans again now; notifies when the set changed. */
  refresh(): void {
    if (!this.watcher && this.timer) this.watchDir();
    const next = scanDaemons(this.dir);
    if (next.size === this.current.size && [...next].every((p) => this.current.has(p))) return;
    this.current = next;
    for (const cb of this.listeners) cb();
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.refresh(), POLL_MS);
    this.timer.unref();
    this.refresh();
  }

  private watchDir(): void {
    try {
      const w = watch(this.dir, { persistent: false }, () => this.refresh());
      w.on('error', () => {
        w.close();
        if (this.watcher === w) this.watcher = undefined;
      });
      this.watcher = w;
    } catch {
      // No directory yet: the poll watches it once a daemon has created it.
    }
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }
}

const shared = new Map<string, DaemonPeers>();

/** One watcher per registry directory for the whole process. */
export function daemonPeers(dir = defaultRegistryDir()): DaemonPeers {
  let p = shared.get(dir);
  if (!p) shared.set(dir, (p = new DaemonPeers(dir)));
  return p;
}
