/**
 * Processes' cgroup v2 membership, so that the engine can route the events of a canister's cgroup
 * (`tsem run`) to its namespace: where the v2 hierarchy is mounted (/sys/fs/cgroup in unified
 * mode, /sys/fs/cgroup/unified in hybrid mode), a cgroup's id (the inode number of its directory,
 * the id the kernel gives the cgroup), and pid → cgroup id, cached per task.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseMountInfo } from './mountinfo.js';

/** statfs f_type of cgroup2 (include/uapi/linux/magic.h). */
export const CGROUP2_SUPER_MAGIC = 0x63677270;

/** The v2 hierarchy's mount point from /proc/self/mountinfo text: /sys/fs/cgroup, then
 * /sys/fs/cgroup/unified, then any other; undefined when no cgroup2 is mounted. */
export function findCgroup2Mount(mountinfo: string): string | undefined {
  const mounts = parseMountInfo(mountinfo)
    .filter((m) => m.fsType === 'cgroup2')
    .map((m) => m.mountPoint);
  return ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'].find((p) => mounts.includes(p)) ?? mounts[0];
}

/** This process's view: the v2 mount point, or undefined. */
export function cgroup2Mount(): string | undefined {
  try {
    return findCgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The v2 path of /proc/PID/cgroup text (the `0::` line), without a ` (deleted)` mark. */
export function unifiedCgroupPath(procCgroup: string): string | undefined {
  const line = procCgroup.split('\n').find((l) => l.startsWith('0::'));
  return line?.slice(3).replace(/ \(deleted\)$/, '');
}

/** The cgroup id of a v2 cgroup directory (its inode number), as a decimal string. */
export function cgroupIdOf(dir: string): string {
  return statSync(dir, { bigint: true }).ino.toString();
}

/** Tasks remembered at most (oldest forgotten first). */
const MAX_TASKS = 65_536;
/** A live task's cached cgroup is re-read after this long (a process may be moved without exec). */
const DEFAULT_TTL_MS = 1000;

interface Entry {
  readonly id: string | undefined;
  readonly at: number;
}

export interface TaskCgroupsOptions {
  /** The v2 mount point; default: found in /proc/self/mountinfo. null: none (resolve nothing). */
  readonly mount?: string | null;
  readonly ttlMs?: number;
  readonly maxTasks?: number;
  /** Test seams. */
  readonly now?: () => number;
  readonly readProcCgroup?: (pid: number) => string | undefined;
  readonly idOf?: (dir: string) => string;
}

export interface TaskCgroupStats {
  /** Looked up from /proc (the process was alive). */
  read: number;
  /** The process was gone: the cached value of the task, or of its parent (fork inherits). */
  fromCache: number;
  fromParent: number;
  /** Gone, with nothing cached for it or its parent: the event is not routed by cgroup. */
  unknown: number;
}

/**
 * pid → cgroup id, cached per task. An exec re-reads (the canister launcher joins its cgroup just
 * before exec, and so does `runc exec`); a cached entry is trusted for `ttlMs`, then re-read while
 * the process lives. Once the process is gone its cached entry stays the answer, else its parent's
 * when the source knows the parent (a child starts in its parent's cgroup).
 */
export class TaskCgroups {
  private readonly mount: string | undefined;
  private readonly tasks = new Map<number, Entry>();
  private readonly ttlMs: number;
  private readonly maxTasks: number;
  private readonly now: () => number;
  private readonly readProcCgroup: (pid: number) => string | undefined;
  private readonly idOf: (dir: string) => string;
  readonly counts: TaskCgroupStats = { read: 0, fromCache: 0, fromParent: 0, unknown: 0 };

  constructor(opts: TaskCgroupsOptions = {}) {
    this.mount = opts.mount === null ? undefined : (opts.mount ?? cgroup2Mount());
    this.ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
    this.maxTasks = opts.maxTasks ?? MAX_TASKS;
    this.now = opts.now ?? (() => performance.now());
    this.readProcCgroup = opts.readProcCgroup ?? readProcCgroup;
    this.idOf = opts.idOf ?? cgroupIdOf;
  }

  /** Whether a v2 hierarchy was found (else every lookup is undefined). */
  get enabled(): boolean {
    return this.mount !== undefined;
  }

  /** The cgroup id of `pid`; `fresh` for an exec; `ppid` when the source carries it. */
  of(pid: number, opts: { fresh?: boolean; ppid?: number } = {}): string | undefined {
    if (this.mount === undefined || !(pid > 0)) return undefined;
    const cached = this.tasks.get(pid);
    const now = this.now();
    if (cached && !opts.fresh && now - cached.at < this.ttlMs) return cached.id;
    const live = this.read(pid);
    if (live !== null) {
      this.counts.read++;
      this.remember(pid, { id: live, at: now });
      return live;
    }
    if (cached) {
      this.counts.fromCache++;
      return cached.id;
    }
    const parent = opts.ppid !== undefined && opts.ppid > 0 ? this.parentOf(opts.ppid) : null;
    if (parent !== null) {
      this.counts.fromParent++;
      this.remember(pid, { id: parent, at: now });
      return parent;
    }
    this.counts.unknown++;
    return undefined;
  }

  /** The parent's cached cgroup, else its live one (then cached); null when neither is known. */
  private parentOf(ppid: number): string | undefined | null {
    const cached = this.tasks.get(ppid);
    if (cached) return cached.id;
    const live = this.read(ppid);
    if (live !== null) this.remember(ppid, { id: live, at: this.now() });
    return live;
  }

  /** The live cgroup id; undefined for a cgroup that has no id any more; null once pid is gone. */
  private read(pid: number): string | undefined | null {
    const text = this.readProcCgroup(pid);
    if (text === undefined) return null;
    const path = unifiedCgroupPath(text);
    if (path === undefined) return undefined;
    try {
      return this.idOf(join(this.mount!, path));
    } catch {
      return undefined; // removed since: no route can name it
    }
  }

  private remember(pid: number, e: Entry): void {
    this.tasks.delete(pid);
    this.tasks.set(pid, e);
    if (this.tasks.size > this.maxTasks) this.tasks.delete(this.tasks.keys().next().value!);
  }
}

function readProcCgroup(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return undefined;
  }
}
