/**
 * Loads the native addon (fanotify, audit netlink, getxattr) (binding.gyp → build/Release/tsem_native.node, built by `npm ci`) and
 * types its functions. A missing build is one clear error naming the file and how to build it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../common/errors.js';

/** The process as the reader read it while the event held it (tsem-model.md §1.3). */
export interface FanTaskFacts {
  /** Start time in clock ticks after boot: read once per task, a reused pid is another task. */
  readonly start: string;
  readonly ppid: number;
  readonly comm: string;
  /** uid euid suid gid egid sgid fsuid fsgid, read for every event. */
  readonly ids: readonly number[];
  readonly capeff: bigint;
}

/** The file as the reader saw it through the event fd (fstat, /proc/self/fd). */
export interface FanFileStat {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly path: string;
}

export interface FanRawEvent {
  readonly id: number;
  readonly fd: number;
  readonly pid: number;
  readonly mask: number;
  readonly perm: boolean;
  /** Allowed already by the verdict cache: reported to the model, never answered again. */
  readonly cached?: boolean;
  /** Absent once the process was gone. */
  readonly facts?: FanTaskFacts;
  readonly stat?: FanFileStat;
}

export interface FanOpenOptions {
  readonly enforce: boolean;
  readonly timeoutMs: number;
  readonly failOpen: boolean;
  readonly ignorePids: readonly number[];
  readonly ignoreChildren: boolean;
  /** Events waiting for JavaScript at most (default 8192): beyond it notifications are dropped
   * and permission events answered with the fail mode, each counted. */
  readonly queueLimit?: number;
  /** Permission events held at once at most (default 4096); more get the fail mode at once. */
  readonly heldLimit?: number;
  /** Answer held opens the engine allowed as cacheable on the reader thread (default false). */
  readonly verdictCache?: boolean;
}

export interface AuditRawMessage {
  readonly type: number;
  readonly seq: number;
  readonly data: Buffer;
}

/**
 * Takes one batch of a reader. It may return a pause in milliseconds before the next batch (its
 * own backlog is long: the reader's bounded queue then fills and drops, which costs nothing here).
 */
export type Consumer<T> = (batch: T[]) => number | void;

declare const handleBrand: unique symbol;
export type NativeHandle = { readonly [handleBrand]: true };

export interface NativeAddon {
  /**
   * `onEvents` gets one batch at a time (at most 4096 events); the next comes in a later turn of
   * the event loop, after the callback returned (loadNativeAddon() resumes the reader then), so
   * timers and signals always get their turn however fast events come.
   */
  fanOpen(opts: FanOpenOptions, onEvents: Consumer<FanRawEvent>): NativeHandle;
  /** The last batch is handled (called by the loader's wrapper). */
  fanResume(h: NativeHandle): void;
  /** kind: 0 inode (directory with its children), 1 mount, 2 filesystem. */
  fanMark(h: NativeHandle, path: string, kind: 0 | 1 | 2, mask: number, remove: boolean): void;
  /** `cacheable`: the engine allows this open whenever it repeats (fills the verdict cache). */
  fanRespond(h: NativeHandle, id: number, allow: boolean, cacheable?: boolean): boolean;
  /** Empties the verdict cache: the engine's decisions may have changed. */
  fanInvalidate(h: NativeHandle): void;
  fanRelease(h: NativeHandle, id: number): void;
  fanStats(h: NativeHandle): {
    received: number;
    autoAllowed: number;
    timedOut: number;
    overflows: number;
    pending: number;
    readerDrops: number;
    failModeAnswers: number;
    /** Held opens answered from the verdict cache, entries added, times emptied, entries now. */
    cacheHits: number;
    cacheFills: number;
    cacheFlushes: number;
    cacheEntries: number;
    /** Events whose task's start time was known already (one pread of status), and first reads. */
    taskFactsHits: number;
    taskFactsMisses: number;
  };
  /** Replaces the pids whose events are allowed at once and never reported (ours always is). */
  fanSetIgnored(h: NativeHandle, pids: readonly number[]): void;
  fanClose(h: NativeHandle): void;
  statfsType(fd: number): number;
  /** As fanOpen: one batch (at most 4096 messages) per turn of the event loop. */
  auditOpen(multicast: boolean, onMessages: Consumer<AuditRawMessage>): NativeHandle;
  auditResume(h: NativeHandle): void;
  auditSend(h: NativeHandle, type: number, payload: Buffer): number;
  /** Receive-buffer overruns (ENOBUFS), and records dropped because JavaScript fell behind. */
  auditStats(h: NativeHandle): { socketOverruns: number; readerDrops: number };
  auditClose(h: NativeHandle): void;
  /** getxattr(2): the value, or null when the file has no such attribute; throws with an errno code. */
  getXattr(path: string, name: string): Buffer | null;
  /** One datagram to an AF_UNIX datagram socket (`@name` = abstract); bytes sent, throws with an errno code. */
  sendUnixDgram(path: string, data: Buffer): number;
  /** setxattr(2), creating or replacing the attribute; throws with an errno code. */
  setXattr(path: string, name: string, value: Buffer): void;
  /** The inode's i_generation (ioctl FS_IOC_GETVERSION); throws with an errno code (ENOTTY when
   * the filesystem has none). */
  fileGeneration(path: string): number;
  /** Landlock's highest ABI version here, or a negative errno (-ENOSYS not built, -EOPNOTSUPP off). */
  landlockAbi(): number;
}

const ADDON_RELATIVE = join('build', 'Release', 'tsem_native.node');

/** The tsem-engine package root (where build/ is), found from the compiled code. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tsem-engine'
    )
      return dir;
    const up = resolve(dir, '..');
    if (up === dir)
      throw new EngineError(
        'TSEM_UNAVAILABLE',
        'native addon: the tsem-engine package.json was not found above the compiled code'
      );
    dir = up;
  }
}

let cached: NativeAddon | undefined;

/**
 * The readers hand over one batch and wait: after the callback, the next batch is asked for from
 * the next turn of the event loop (setImmediate), never from within the dispatch of this one.
 */
function withTurns(raw: NativeAddon): NativeAddon {
  const resumeLater = (resume: () => void, delayMs: unknown) => {
    const go = () => {
      try {
        resume();
      } catch {
        // Closed meanwhile (EBADF): nothing more comes.
      }
    };
    if (typeof delayMs === 'number' && delayMs > 0) setTimeout(go, delayMs);
    else setImmediate(go);
  };
  // The addon's functions are read-only properties: copy them to a plain object, then wrap two.
  const own = Object.fromEntries(
    Object.getOwnPropertyNames(raw).map((k) => [k, (raw as unknown as Record<string, unknown>)[k]])
  ) as unknown as NativeAddon;
  return Object.assign(own, {
    fanOpen(opts: FanOpenOptions, onEvents: Consumer<FanRawEvent>): NativeHandle {
      const h: NativeHandle = raw.fanOpen(opts, (batch) => {
        let delay: unknown;
        try {
          delay = onEvents(batch);
        } finally {
          resumeLater(() => raw.fanResume(h), delay);
        }
      });
      return h;
    },
    auditOpen(multicast: boolean, onMessages: Consumer<AuditRawMessage>): NativeHandle {
      const h: NativeHandle = raw.auditOpen(multicast, (batch) => {
        let delay: unknown;
        try {
          delay = onMessages(batch);
        } finally {
          resumeLater(() => raw.auditResume(h), delay);
        }
      });
      return h;
    },
  });
}

/** The addon, loaded once; throws EngineError TSEM_UNAVAILABLE naming what is missing. */
export function loadNativeAddon(): NativeAddon {
  if (cached) return cached;
  if (process.platform !== 'linux') {
    throw new EngineError(
      'TSEM_UNAVAILABLE',
      `fanotify and audit sources need Linux, this is ${process.platform}`
    );
  }
  const file = join(packageRoot(), ADDON_RELATIVE);
  if (!existsSync(file)) {
    throw new EngineError(
      'TSEM_UNAVAILABLE',
      `native addon ${ADDON_RELATIVE} is missing: run \`npm ci\` (node-gyp builds it from binding.gyp; needs make and a C++ compiler)`
    );
  }
  try {
    cached = withTurns(createRequire(import.meta.url)(file) as NativeAddon);
  } catch (err) {
    throw new EngineError(
      'TSEM_UNAVAILABLE',
      `native addon ${ADDON_RELATIVE} failed to load (${(err as Error).message}): rebuild it with \`npm rebuild\``,
      { cause: err }
    );
  }
  return cached;
}

/** errno code of an error thrown by the addon (EPERM, EINVAL, ...), if any. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
