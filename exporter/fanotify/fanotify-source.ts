/**
 * The fanotify source: marks the watched mounts/filesystems/directories, maps every open and
 * exec to TSEM events in arrival order, and in enforce mode holds each one until `respond`.
 *
 * An exec raises two permission events: OPEN_EXEC_PERM, then OPEN_PERM of the same file. The
 * first is exposed as `file_open` with exec flags carrying `respond` (the trajectory event a
 * sealed model checks); once allowed, its `bprm_committed_creds` follows (the task identity,
 * §1.6), and the second permission event is allowed without being reported again.
 */
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
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
import type { EventSource, SourcedEvent, SourceStats } from '../source.js';
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

const MARK_KIND = { directory: 0, mount: 1, filesystem: 2 } as const;
const MAX_EXEC_FOLLOWUPS = 4096;

export class FanotifySource implements EventSource {
  private readonly queue: EventQueue;
  private readonly watches: readonly FanotifyWatch[];
  private readonly nsOf: NamespaceMapper;
  private readonly ctx: MapContext;
  private readonly cgroups: TaskCgroups;
  private addon: NativeAddon | undefined;
  private handle: NativeHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** pid → dev:ino of an allowed exec whose OPEN_PERM follow-up is still to come. */
  private readonly execFollowups = new Map<number, string>();
  private readonly counts = { processGone: 0, mapErrors: 0, skippedNonRegular: 0 };
  private lastNative = { received: 0, autoAllowed: 0, timedOut: 0, overflows: 0, pending: 0 };

  constructor(private readonly options: FanotifyOptions) {
    if (options.watch.length === 0)
      throw new RangeError('fanotify source needs at least one watch path');
    this.watches = options.watch.map((w) => (typeof w === 'string' ? { path: w } : w));
    this.queue = new EventQueue(options.maxQueued);
    this.nsOf = createNamespaceMapper(options.namespace ?? { kind: 'host' }, hostname());
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
    let handle: NativeHandle;
    try {
      handle = addon.fanOpen(
        {
          enforce,
          timeoutMs: this.options.decisionTimeoutMs ?? DEFAULT_DECISION_TIMEOUT_MS,
          failOpen: (this.options.failMode ?? 'open') === 'open',
          ignorePids: this.options.ignorePids ?? [],
          ignoreChildren: this.options.ignoreChildren ?? true,
        },
        (batch) => this.onBatch(batch)
      );
    } catch (err) {
      throw initError(err, enforce);
    }
    try {
      for (const w of this.watches) {
        const kind = w.mark ?? 'mount';
        const mask = markMask(enforce) | (kind === 'directory' ? FAN_EVENT_ON_CHILD : 0);
        addon.fanMark(handle, w.path, MARK_KIND[kind], mask, false);
      }
    } catch (err) {
      addon.fanClose(handle);
      throw markError(err);
    }
    this.addon = addon;
    this.handle = handle;
  }

  async stop(): Promise<void> {
    if (!this.addon || !this.handle) return;
    await this.chain;
    this.lastNative = this.addon.fanStats(this.handle);
    this.addon.fanClose(this.handle);
    this.handle = undefined;
    this.queue.end();
  }

  stats(): SourceStats {
    const native = this.addon && this.handle ? this.addon.fanStats(this.handle) : this.lastNative;
    const cg = this.cgroups.counts;
    return {
      ...native,
      ...this.counts,
      cgroupUnknown: cg.unknown,
      dropped: this.queue.dropped,
      queued: this.queue.length,
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<SourcedEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  private onBatch(batch: FanRawEvent[]): void {
    for (const raw of batch) this.chain = this.chain.then(() => this.handleEvent(raw));
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
      const file = inspectFd(raw.fd, (fd) => addon.statfsType(fd));
      if (raw.mask & FAN_CLOSE_WRITE) this.ctx.digester.invalidate(file.stat.dev, file.stat.ino);
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
      const routed = cgroupId !== undefined ? { namespace, cgroupId } : { namespace };
      if (!raw.perm) {
        this.queue.push({ ...routed, event: mapped.fileOpen });
        if (exec) this.queue.push({ ...routed, event: exec });
        return;
      }
      let answered = false;
      const respond = (allow: boolean) => {
        if (answered || this.handle !== handle) return;
        answered = true;
        const written = addon.fanRespond(handle, raw.id, allow);
        // A timeout may have answered first: then the fail mode decided the exec.
        const execRan = written ? allow : (this.options.failMode ?? 'open') === 'open';
        if (exec && execRan) {
          this.rememberExec(raw.pid, key);
          this.queue.push({ ...routed, event: exec });
        }
      };
      this.queue.push({ ...routed, event: mapped.fileOpen, respond });
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
      { enforce, timeoutMs: 1, failOpen: true, ignorePids: [], ignoreChildren: true },
      () => undefined
    );
    addon.fanClose(h);
    return undefined;
  } catch (err) {
    return err instanceof EngineError ? err.message : initError(err, enforce).message;
  }
}
