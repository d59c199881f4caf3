/**
 * The fanotify source: marks the watched mounts/filesystems/directories, maps every open and
 * exec to TSEM events in arrival order, and in enforce mode holds each one until `respond`.
 * A `subtree` watch (the default) is a mount mark whose events outside the path are allowed and
 * not reported. Events of this process and of the host's other tsem daemons are allowed at once
 * in the native reader and never reported. Every queue is bounded: notifications beyond a bound
 * are dropped, held events answered with the fail mode, each counted by cause (drops()).
 *
 * With `verdictCache`, held opens the engine allowed as cacheable are answered by the native
 * reader when they repeat (same task with its start time and credentials, same file state, path
 * and cgroup) and still reported, each with `onVerdict`; the engine empties the cache through
 * `invalidate()` when its decisions change, and a reported verdict that disagrees empties it too
 * (counted: cacheDisagreements).
 *
 * An exec raises two permission events: OPEN_EXEC_PERM, then OPEN_PERM of the same file. The
 * first is exposed as `file_open` with exec flags carrying `respond` (the trajectory event a
 * sealed model checks); once allowed, its `bprm_committed_creds` follows (the task identity,
 * §1.6), and the second permission event is allowed without being reported again.
 */
import { hostname } from 'node:os';
import { existsSync, realpathSync } from 'node:fs';
import { EngineError } from '../../common/errors.js';
import { EventQueue } from '../event-queue.js';
import { TaskCgroups } from '../host/cgroup.js';
import { FileDigester } from '../host/file-digest.js';
import { MountTable } from '../host/mountinfo.js';
import {
  errnoCode,
  type FanRawEvent,
  loadNativeAddon,
  type NativeAddon,
  type NativeHandle,
} from '../../native/addon.js';
import { createNamespaceMapper, type NamespaceMapper } from '../nsmap/namespace-rule.js';
import {
  type DropCounts,
  type EventSource,
  type SourcedEvent,
  type SourceStats,
  sourcedEvent,
} from '../source.js';
import { daemonPeers, type ProcessExclusion } from '../host/daemon-registry.js';
import { inspectFd, mapOpen, type MapContext } from './fanotify-event.js';
import {
  FAN_CLOSE_WRITE,
  FAN_EVENT_ON_CHILD,
  FAN_OPEN_PERM,
  isExecMask,
  isOpenMask,
  markMask,
} from './fanotify-mask.js';
import {
  DEFAULT_DECISION_TIMEOUT_MS,
  type FanotifyOptions,
  type FanotifyWatch,
} from './fanotify-options.js';

const MARK_KIND = { directory: 0, mount: 1, subtree: 1, filesystem: 2 } as const;
const MAX_EXEC_FOLLOWUPS = 4096;
const DEFAULT_MAX_MAPPING = 4096;
/** Events handled between two yields to the event loop, so that signals are never missed. */
const MAP_SLICE = 64;
/** Pause before the reader's next batch while the mapping backlog is over half full. */
const BACKLOG_PAUSE_MS = 20;

export class FanotifySource implements EventSource {
  private readonly queue: EventQueue;
  private readonly watches: readonly FanotifyWatch[];
  private readonly nsOf: NamespaceMapper;
  private readonly ctx: MapContext;
  private readonly cgroups: TaskCgroups;
  private addon: NativeAddon | undefined;
  private handle: NativeHandle | undefined;
  /** Raw events waiting to be mapped, in arrival order, and the loop mapping them. */
  private readonly waiting: FanRawEvent[] = [];
  private mapper: Promise<void> | undefined;
  private readonly maxMapping: number;
  /** Real paths of `subtree` watches: events elsewhere on their mounts are not reported. */
  private subtrees: string[] | undefined;
  private readonly exclusion: ProcessExclusion;
  private unsubscribe: (() => void) | undefined;
  /** pid → dev:ino of an allowed exec whose OPEN_PERM follow-up is still to come. */
  private readonly execFollowups = new Map<number, string>();
  /** At process exit (however sudden): close the group, answering held events by the fail mode. */
  private readonly onExit = (): void => {
    if (this.addon && this.handle) this.addon.fanClose(this.handle);
  };
  private readonly counts = {
    processGone: 0,
    mapErrors: 0,
    skippedNonRegular: 0,
    outsideWatch: 0,
    mappingDropped: 0,
    mappingFailMode: 0,
    stoppedUnmapped: 0,
    cacheDisagreements: 0,
  };
  /** The verdict cache is on (enforce, asked for, a namespace rule its key covers). */
  private readonly cacheOn: boolean;
  /** A cached allow the engine did not confirm: counted, and nothing cached is trusted any more. */
  private readonly recheck = (allow: boolean, cacheable: boolean): void => {
    if (allow && cacheable) return;
    this.counts.cacheDisagreements++;
    this.invalidate();
  };
  private lastNative = {
    received: 0,
    autoAllowed: 0,
    timedOut: 0,
    overflows: 0,
    pending: 0,
    readerDrops: 0,
    failModeAnswers: 0,
    cacheHits: 0,
    cacheFills: 0,
    cacheFlushes: 0,
    cacheEntries: 0,
    taskFactsHits: 0,
    taskFactsMisses: 0,
  };

  constructor(private readonly options: FanotifyOptions) {
    if (options.watch.length === 0)
      throw new RangeError('fanotify source needs at least one watch path');
    this.watches = options.watch.map((w) => (typeof w === 'string' ? { path: w } : w));
    this.queue = new EventQueue(options.maxQueued);
    this.exclusion = options.exclude ?? daemonPeers();
    this.maxMapping = options.maxMapping ?? DEFAULT_MAX_MAPPING;
    this.nsOf = createNamespaceMapper(options.namespace ?? { kind: 'host' }, hostname());
    this.cacheOn =
      (options.verdictCache ?? false) &&
      (options.enforce ?? false) &&
      options.namespace?.kind !== 'linux-ns';
    this.cgroups = new TaskCgroups(options.cgroups);
    this.ctx = {
      mounts: new MountTable(),
      digester: new FileDigester(options.digestAlgorithm ?? 'sha256'),
    };
  }

  async start(): Promise<void> {
    if (this.handle) return;
    for (const w of this.watches) {
      if (!existsSync(w.path))
        throw new EngineError(
          'TSEM_INVALID_ARGUMENT',
          `fanotify watch path ${w.path} does not exist`
        );
    }
    const addon = loadNativeAddon();
    const enforce = this.options.enforce ?? false;
    const subtrees = this.watches.filter((w) => (w.mark ?? 'subtree') === 'subtree');
    // A subtree shares its mount with everything else on it: only a mount-wide watch reports all.
    this.subtrees = this.watches.some((w) => (w.mark ?? 'subtree') !== 'subtree')
      ? undefined
      : subtrees.map((w) => realpathSync(w.path));
    const ignored = () => [...(this.options.ignorePids ?? []), ...this.exclusion.pids()];
    let handle: NativeHandle;
    try {
      handle = addon.fanOpen(
        {
          enforce,
          timeoutMs: this.options.decisionTimeoutMs ?? DEFAULT_DECISION_TIMEOUT_MS,
          failOpen: (this.options.failMode ?? 'open') === 'open',
          ignorePids: ignored(),
          ignoreChildren: this.options.ignoreChildren ?? false,
          queueLimit: this.options.readerQueue,
          heldLimit: this.options.maxHeld,
          verdictCache: this.cacheOn,
        },
        (batch) => this.onBatch(batch)
      );
    } catch (err) {
      throw initError(err, enforce);
    }
    try {
      for (const w of this.watches) {
        const kind = w.mark ?? 'subtree';
        const mask = markMask(enforce) | (kind === 'directory' ? FAN_EVENT_ON_CHILD : 0);
        addon.fanMark(handle, w.path, MARK_KIND[kind], mask, false);
      }
    } catch (err) {
      addon.fanClose(handle);
      throw markError(err);
    }
    this.addon = addon;
    this.handle = handle;
    process.once('exit', this.onExit);
    this.unsubscribe = this.exclusion.subscribe(() => {
      if (this.handle === handle) addon.fanSetIgnored(handle, ignored());
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (!this.addon || !this.handle) return;
    const addon = this.addon;
    const handle = this.handle;
    // Not mapped yet: a held event gets the fail mode (the close below answers it), the rest is
    // dropped, as a live source loses what it holds when it stops.
    for (const raw of this.waiting.splice(0)) {
      this.counts.stoppedUnmapped++;
      addon.fanRelease(handle, raw.id);
    }
    // The event being mapped still reads through its fd: closing waits for it (one file).
    await this.mapper;
    this.lastNative = addon.fanStats(handle);
    addon.fanClose(handle);
    process.off('exit', this.onExit);
    this.handle = undefined;
    this.queue.close();
  }

  /** Empties the verdict cache (the engine's decisions may have changed). */
  invalidate(): void {
    if (this.addon && this.handle) this.addon.fanInvalidate(this.handle);
  }

  /** Whether the native reader keeps a verdict cache (enforce, asked for, a rule its key covers). */
  get verdictCache(): boolean {
    return this.cacheOn;
  }

  stats(): SourceStats {
    const native = this.addon && this.handle ? this.addon.fanStats(this.handle) : this.lastNative;
    const cg = this.cgroups.counts;
    return Object.assign({}, native, this.counts, {
      cgroupUnknown: cg.unknown,
      dropped: this.queue.dropped,
      queued: this.queue.length,
      excludedPids: this.exclusion.pids().length,
    });
  }

  drops(): DropCounts {
    const native = this.addon && this.handle ? this.addon.fanStats(this.handle) : this.lastNative;
    return {
      'kernel-overflow': native.overflows,
      'reader-queue': native.readerDrops,
      'mapper-queue': this.counts.mappingDropped,
      'source-queue': this.queue.dropped,
      stopped: this.queue.discarded + this.counts.stoppedUnmapped,
      'held-fail-mode': native.failModeAnswers + this.counts.mappingFailMode,
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<SourcedEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  /** One batch of the reader; returns a pause before the next while the mapping backlog is long. */
  private onBatch(batch: FanRawEvent[]): number {
    const addon = this.addon;
    const handle = this.handle;
    if (!addon || !handle) return 0;
    for (const raw of batch) {
      if (this.waiting.length < this.maxMapping) {
        this.waiting.push(raw);
        continue;
      }
      if (raw.perm && !raw.cached) {
        addon.fanRespond(handle, raw.id, (this.options.failMode ?? 'open') === 'open');
        this.counts.mappingFailMode++;
      } else this.counts.mappingDropped++;
      addon.fanRelease(handle, raw.id);
    }
    this.kick();
    return this.waiting.length >= this.maxMapping / 2 ? BACKLOG_PAUSE_MS : 0;
  }

  private kick(): void {
    if (this.mapper || this.waiting.length === 0) return;
    this.mapper = this.mapAll().finally(() => {
      this.mapper = undefined;
      this.kick();
    });
  }

  /** Maps waiting events in order, yielding to the event loop every MAP_SLICE events. */
  private async mapAll(): Promise<void> {
    let n = 0;
    for (let raw = this.waiting.shift(); raw; raw = this.waiting.shift()) {
      await this.handleEvent(raw);
      if (++n % MAP_SLICE === 0) await new Promise((r) => setImmediate(r));
    }
  }

  private inWatchedSubtree(path: string): boolean {
    if (!this.subtrees) return true;
    return this.subtrees.some(
      (root) => path === root || path.startsWith(root === '/' ? root : `${root}/`)
    );
  }

  /** Maps one event; the fd is released as soon as it has been read, the verdict may come later. */
  private async handleEvent(raw: FanRawEvent): Promise<void> {
    const addon = this.addon;
    const handle = this.handle;
    if (!addon || !handle) return;
    let released = false;
    const release = () => {
      if (!released) addon.fanRelease(handle, raw.id);
      released = true;
    };
    try {
      const file = inspectFd(raw.fd, (fd) => addon.statfsType(fd), raw.stat);
      if (raw.mask & FAN_CLOSE_WRITE) this.ctx.digester.invalidate(file.stat.dev, file.stat.ino);
      if (!this.inWatchedSubtree(file.pathname)) {
        this.counts.outsideWatch++;
        if (raw.perm) addon.fanRespond(handle, raw.id, true);
        return;
      }
      const key = `${file.stat.dev}:${file.stat.ino}`;
      if (!isOpenMask(raw.mask) || !file.regular || this.isExecFollowup(raw, key)) {
        if (isOpenMask(raw.mask) && !file.regular) this.counts.skippedNonRegular++;
        if (raw.perm) addon.fanRespond(handle, raw.id, true);
        return;
      }
      // Read while a permission event holds the process; an exec re-reads (a launcher joins
      // its canister's cgroup right before exec).
      const cgroupId = this.cgroups.of(raw.pid, { fresh: isExecMask(raw.mask) });
      const mapped = await mapOpen(raw, file, this.ctx);
      release();
      if (mapped.processGone) this.counts.processGone++;
      const namespace = this.nsOf(raw.pid);
      const exec = mapped.exec;
      if (raw.cached) {
        // Allowed already (never an exec): reported so that the model counts it.
        this.queue.push(
          sourcedEvent(namespace, mapped.fileOpen, { cgroupId, onVerdict: this.recheck })
        );
        return;
      }
      if (!raw.perm) {
        this.queue.push(sourcedEvent(namespace, mapped.fileOpen, { cgroupId }));
        if (exec) this.queue.push(sourcedEvent(namespace, exec, { cgroupId }));
        return;
      }
      let answered = false;
      const respond = (allow: boolean, cacheable = false) => {
        if (answered || this.handle !== handle) return;
        answered = true;
        const written = addon.fanRespond(handle, raw.id, allow, cacheable && this.cacheOn);
        // A timeout may have answered first: then the fail mode decided the exec.
        const execRan = written ? allow : (this.options.failMode ?? 'open') === 'open';
        if (exec && execRan) {
          this.rememberExec(raw.pid, key);
          this.queue.push(sourcedEvent(namespace, exec, { cgroupId }));
        }
      };
      this.queue.push(sourcedEvent(namespace, mapped.fileOpen, { cgroupId, respond }));
    } catch {
      // The file or process vanished mid-read: counted, and a held event gets the fail mode.
      this.counts.mapErrors++;
      if (raw.perm) addon.fanRespond(handle, raw.id, (this.options.failMode ?? 'open') === 'open');
    } finally {
      release();
    }
  }

  /** The OPEN_PERM that follows an allowed OPEN_EXEC_PERM of the same file by the same pid. */
  private isExecFollowup(raw: FanRawEvent, key: string): boolean {
    if (
      !(raw.mask & FAN_OPEN_PERM) ||
      isExecMask(raw.mask) ||
      this.execFollowups.get(raw.pid) !== key
    )
      return false;
    this.execFollowups.delete(raw.pid);
    return true;
  }

  private rememberExec(pid: number, key: string): void {
    if (this.execFollowups.size >= MAX_EXEC_FOLLOWUPS) this.execFollowups.clear();
    this.execFollowups.set(pid, key);
  }
}

function initError(err: unknown, enforce: boolean): EngineError {
  switch (errnoCode(err)) {
    case 'EPERM':
      return new EngineError(
        'TSEM_PERMISSION',
        'fanotify_init: operation not permitted: the fanotify source needs root (CAP_SYS_ADMIN)',
        { cause: err }
      );
    case 'ENOSYS':
      return new EngineError(
        'TSEM_UNAVAILABLE',
        'fanotify_init: this kernel has no fanotify (CONFIG_FANOTIFY)',
        { cause: err }
      );
    case 'EINVAL':
      return new EngineError(
        'TSEM_UNAVAILABLE',
        enforce
          ? 'fanotify_init: this kernel has no fanotify permission events (CONFIG_FANOTIFY_ACCESS_PERMISSIONS), needed by --enforce'
          : 'fanotify_init: this kernel rejected the fanotify flags (needs Linux 5.0 or later)',
        { cause: err }
      );
    default:
      return new EngineError(
        'TSEM_UNAVAILABLE',
        `fanotify_init failed: ${(err as Error).message}`,
        { cause: err }
      );
  }
}

function markError(err: unknown): EngineError {
  const msg = (err as Error).message;
  switch (errnoCode(err)) {
    case 'EINVAL':
    case 'EOPNOTSUPP':
    case 'EXDEV':
      return new EngineError(
        'TSEM_UNAVAILABLE',
        `${msg}: this kernel or filesystem does not support that mark (filesystem marks need Linux 4.20; exec events need 5.0)`,
        { cause: err }
      );
    case 'ENOENT':
    case 'ENOTDIR':
      return new EngineError(
        'TSEM_INVALID_ARGUMENT',
        `${msg}: the watch path must exist (a directory mark needs a directory)`,
        { cause: err }
      );
    default:
      return new EngineError('TSEM_UNAVAILABLE', msg, { cause: err });
  }
}

/** Why the fanotify source cannot run here (addon, kernel or privilege missing), or undefined. */
export function fanotifyUnavailableReason(enforce = true): string | undefined {
  try {
    const addon = loadNativeAddon();
    const h = addon.fanOpen(
      { enforce, timeoutMs: 1, failOpen: true, ignorePids: [], ignoreChildren: false },
      () => undefined
    );
    addon.fanClose(h);
    return undefined;
  } catch (err) {
    return err instanceof EngineError ? err.message : initError(err, enforce).message;
  }
}
