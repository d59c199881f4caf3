/**
 * The live audit source: installs one exit-filter rule for the audited syscalls, reads records
 * from NETLINK_AUDIT (as the registered audit daemon when none runs, else from the read-only
 * multicast group beside auditd), reassembles them by serial and maps them to TSEM events.
 * stop() removes the rule and hands the audit pid back. The kernel's lost counter and backlog
 * are polled and reported by stats(), never hidden.
 *
 * Never a feedback loop: the rule excludes this process and the other tsem daemons of the host
 * (as many as fit in its 64 fields; the reader drops the rest's records), and is replaced as
 * daemons come and go. Never a leftover: the rule's key names its owner (audit-rules.ts); start()
 * deletes rules whose owner is gone, and any exit of this process deletes its own. Bounded: the
 * native reader, the assembler, the mapping backlog and the event queue each have a limit; what
 * exceeds one is dropped and counted by cause (drops()).
 */
import { hostname } from 'node:os';
import { EngineError } from '../../common/errors.js';
import { EventQueue } from '../event-queue.js';
import { TaskCgroups } from '../host/cgroup.js';
import {
  errnoCode,
  loadNativeAddon,
  type AuditRawMessage,
  type NativeAddon,
  type NativeHandle,
} from '../../native/addon.js';
import { createNamespaceMapper, type NamespaceMapper } from '../nsmap/namespace-rule.js';
import {
  type DropCounts,
  type EventSource,
  type LandlockDomainRef,
  type SourcedEvent,
  type SourceStats,
  sourcedEvent,
} from '../source.js';
import { AuditAssembler, type AuditEventGroup } from './audit-assembler.js';
import { AuditControl, NetlinkError } from './audit-control.js';
import { HostFacts } from './audit-host.js';
import { mapAuditGroup } from './audit-mapper.js';
import { LandlockDomains } from './landlock-domains.js';
import {
  ALL_SYSCALLS,
  AUDIT_ADD_RULE,
  AUDIT_DEL_RULE,
  AUDIT_SET,
  auditBacklogLimitPayload,
  auditSetPayload,
  nativeArch,
  ruleDataPayload,
  SYSCALL_NUMBERS,
  syscallName,
  type AuditStatus,
} from './audit-netlink.js';
import type { AuditOptions } from './audit-options.js';
import { type AuditRecord, num, parseNetlinkRecord } from './audit-record.js';
import { isOrphaned, ownedKey, type RaisedBacklog, raisedBacklogOf } from './audit-rules.js';
import { daemonPeers, type ProcessExclusion } from '../host/daemon-registry.js';
import { readProcessIdentity } from '../host/procfs.js';

const EPERM = 1;
const EEXIST = 17;
const ENOENT = 2;
const FIRST_RECORD_TYPE = 1300;
const LAST_RECORD_TYPE = 2999;
/** A binary liveness probe the kernel sends the audit daemon (a u32 pid), not a record. */
const AUDIT_REPLACE = 1329;
/** Serials whose cgroup was read on arrival, kept at most (oldest out first). */
const MAX_PINNED_CGROUPS = 4096;
/** The record that starts each syscall event: one per event. */
const AUDIT_SYSCALL = 1300;
/** Groups waiting to be mapped at most; beyond it new groups are dropped (counted). */
const DEFAULT_MAX_MAPPING = 4096;
/** Mapped groups between two yields to the event loop, so that signals are never missed. */
const MAP_SLICE = 64;
/** Pause before the reader's next batch while the mapping backlog is over half full. */
const BACKLOG_PAUSE_MS = 50;
/**
 * The kernel backlog limit the source wants while it runs: the default (64) is lost in a
 * moment by a busy host, and every lost record is a lost event.
 */
export const DEFAULT_BACKLOG_LIMIT = 8192;

export class AuditSource implements EventSource {
  private readonly queue: EventQueue;
  private readonly nsOf: NamespaceMapper;
  private readonly host: HostFacts;
  private readonly assembler: AuditAssembler;
  private readonly cgroups: TaskCgroups;
  /** serial → the process's cgroup id, read when its SYSCALL record arrived. */
  private readonly pinnedCgroups = new Map<number, string | undefined>();
  /** Landlock domains and their creators, noted as their records arrive. */
  private readonly landlock = new LandlockDomains();
  private addon: NativeAddon | undefined;
  private control: { handle: NativeHandle; ctl: AuditControl } | undefined;
  private reader: NativeHandle | undefined;
  private rule: Buffer | undefined;
  /** What to restore on stop: the enabled flag we found, and whether we took the audit pid. */
  private initial: AuditStatus | undefined;
  private registered = false;
  /** The backlog limit found at start, when start raised it (stop puts it back). */
  private raisedBacklog: RaisedBacklog | undefined;
  /** Answers to the registration, which is sent on the unicast reader's own socket. */
  private readerCtl: AuditControl | undefined;
  private lastStatus: AuditStatus | undefined;
  /** Native counters of the sockets already closed (stats() and drops() stay readable after stop). */
  private closedNative = { socketOverruns: 0, readerDrops: 0 };
  private channel: 'unicast' | 'multicast' | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly counts = {
    records: 0,
    parseErrors: 0,
    groups: 0,
    events: 0,
    skipped: 0,
    excluded: 0,
    mappingDropped: 0,
    stoppedUnmapped: 0,
    orphanedRulesRemoved: 0,
  };
  /** The kernel's lost counter when we started: what it counts after is ours to report. */
  private lostAtStart: number | undefined;
  private readonly exclusion: ProcessExclusion;
  private unsubscribe: (() => void) | undefined;
  /** Rule changes one at a time, in order. */
  private ruleChain: Promise<void> = Promise.resolve();
  /** Groups waiting to be mapped, and whether the mapping loop runs. */
  private readonly mapping: {
    g: AuditEventGroup;
    cgroupId: string | undefined;
    landlock: LandlockDomainRef | undefined;
  }[] = [];
  private mapper: Promise<void> | undefined;
  private readonly maxMapping: number;
  private readonly onExit = (): void => this.removeRuleNow();

  constructor(private readonly options: AuditOptions = {}) {
    this.queue = new EventQueue(options.maxQueued);
    this.nsOf = createNamespaceMapper(options.namespace ?? { kind: 'host' }, hostname());
    this.host = new HostFacts(true, options.digestAlgorithm ?? 'sha256');
    this.assembler = new AuditAssembler((g) => this.onGroup(g));
    this.cgroups = new TaskCgroups(options.cgroups);
    this.exclusion = options.exclude ?? daemonPeers();
    this.maxMapping = options.maxMapping ?? DEFAULT_MAX_MAPPING;
  }

  async start(): Promise<void> {
    if (this.control) return;
    const arch = nativeArch();
    if (arch === undefined)
      throw new EngineError(
        'TSEM_UNAVAILABLE',
        `audit source: no syscall table for CPU architecture ${process.arch} (x64 and arm64 are supported)`
      );
    const addon = loadNativeAddon();
    this.addon = addon;
    // Requests go on a socket of their own: their answers never wait behind a flood of records.
    const handle = openSocket(addon, false, (b) => {
      for (const m of b) ctl.accept(m);
    });
    const ctl = new AuditControl(addon, handle);
    this.control = { handle, ctl };
    try {
      const status = await ctl.getStatus().catch((e: unknown) => {
        throw controlError(e);
      });
      this.initial = status;
      if (status.enabled === 2)
        throw new EngineError(
          'TSEM_UNAVAILABLE',
          'kernel audit is locked (enabled=2, auditctl -e 2): rules cannot change until reboot'
        );
      this.lostAtStart = status.lost;
      await this.chooseChannel(addon, ctl, status);
      await this.removeOrphanedRules(ctl);
      await this.raiseBacklogLimit(ctl, await ctl.getStatus());
      const me = readProcessIdentity(process.pid);
      if (!me) throw new EngineError('TSEM_UNAVAILABLE', 'audit source: cannot read /proc/self');
      const numbers = (this.options.syscalls ?? ALL_SYSCALLS)
        .map((s) => SYSCALL_NUMBERS[arch]?.[s])
        .filter((n): n is number => n !== undefined);
      const key = ownedKey(this.options.key ?? 'tsem', me, this.raisedBacklog);
      const build = () =>
        ruleDataPayload({
          arch,
          syscalls: numbers,
          key,
          excludePids: [process.pid, ...this.exclusion.pids()],
          ppid: this.options.ppid,
        });
      process.once('exit', this.onExit);
      this.rule = build();
      await this.addRule(ctl, this.rule);
      this.unsubscribe = this.exclusion.subscribe(() => {
        this.ruleChain = this.ruleChain.then(() => this.replaceRule(ctl, build()));
      });
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
    this.statsTimer = setInterval(
      () => void ctl.getStatus().catch(() => undefined),
      this.options.statsIntervalMs ?? 1000
    );
    this.statsTimer.unref();
    this.flushTimer = setInterval(() => this.assembler.flushStale(Date.now()), 500);
    this.flushTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.statsTimer);
    clearInterval(this.flushTimer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const addon = this.addon;
    const control = this.control;
    if (!addon || !control) return;
    const { handle, ctl } = control;
    const errors: unknown[] = [];
    await this.ruleChain;
    if (this.rule)
      await ctl
        .request(AUDIT_DEL_RULE, this.rule, 'AUDIT_DEL_RULE')
        .catch((e: unknown) => errors.push(e));
    this.rule = undefined;
    await ctl.getStatus().catch(() => undefined);
    if (this.registered || (this.initial && this.initial.enabled === 0)) {
      await ctl
        .request(
          AUDIT_SET,
          auditSetPayload(
            this.registered ? 0 : (this.initial?.pid ?? 0),
            this.initial?.enabled ?? 1
          ),
          'AUDIT_SET'
        )
        .catch((e: unknown) => errors.push(e));
    }
    this.registered = false;
    await this.restoreBacklogLimit(ctl).catch((e: unknown) => errors.push(e));
    this.lastStatus = ctl.status;
    for (const h of [this.reader, handle]) {
      if (!h) continue;
      const n = addon.auditStats(h);
      this.closedNative.socketOverruns += n.socketOverruns;
      this.closedNative.readerDrops += n.readerDrops;
    }
    ctl.close();
    this.readerCtl?.close();
    this.readerCtl = undefined;
    if (this.reader) addon.auditClose(this.reader);
    addon.auditClose(handle);
    this.reader = undefined;
    this.control = undefined;
    process.off('exit', this.onExit);
    // What is not mapped yet is dropped: a live source loses what it holds when it stops.
    this.counts.stoppedUnmapped += this.mapping.length;
    this.mapping.length = 0;
    this.assembler.discardAll();
    // A group being mapped (hashing a large file, say) is not waited for: its events would come
    // after the end, and the closed queue ignores them.
    this.queue.close();
    if (errors.length > 0)
      throw new EngineError(
        'TSEM_UNAVAILABLE',
        `audit source stop: ${errors.map((e) => (e as Error).message).join('; ')}`
      );
  }

  /** Kernel counters (lost, backlog, backlogLimit) from the last AUDIT_GET, and local counts. */
  stats(): SourceStats {
    const s = this.control?.ctl.status ?? this.lastStatus;
    const overruns =
      this.addon && this.reader ? this.addon.auditStats(this.reader).socketOverruns : 0;
    const kernel = {
      lost: s?.lost ?? 0,
      backlog: s?.backlog ?? 0,
      backlogLimit: s?.backlogLimit ?? 0,
      socketOverruns:
        overruns +
        (this.addon && this.control
          ? this.addon.auditStats(this.control.handle).socketOverruns
          : 0),
    };
    return Object.assign(kernel, this.counts, {
      incomplete: this.assembler.incomplete,
      evicted: this.assembler.evicted,
      dropped: this.queue.dropped,
      multicast: this.channel === 'multicast' ? 1 : 0,
      cgroupUnknown: this.cgroups.counts.unknown,
      landlockDomains: this.landlock.counts.allocated,
      landlockCreatorUnknown: this.landlock.counts.creatorUnknown,
      excludedPids: this.exclusion.pids().length,
    });
  }

  drops(): DropCounts {
    const s = this.control?.ctl.status ?? this.lastStatus;
    const native = (h: NativeHandle | undefined) =>
      this.addon && h ? this.addon.auditStats(h) : { socketOverruns: 0, readerDrops: 0 };
    const r = native(this.reader);
    const c = native(this.control?.handle);
    return {
      'kernel-lost': Math.max(0, (s?.lost ?? 0) - (this.lostAtStart ?? s?.lost ?? 0)),
      'socket-overrun': r.socketOverruns + c.socketOverruns + this.closedNative.socketOverruns,
      'reader-queue': r.readerDrops + c.readerDrops + this.closedNative.readerDrops,
      'mapper-queue': this.counts.mappingDropped,
      'source-queue': this.queue.dropped,
      stopped: this.queue.discarded + this.counts.stoppedUnmapped,
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<SourcedEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  private async chooseChannel(
    addon: NativeAddon,
    ctl: AuditControl,
    status: AuditStatus
  ): Promise<void> {
    const wanted = this.options.channel ?? 'auto';
    const daemonAlive = status.pid !== 0 && status.pid !== process.pid && processAlive(status.pid);
    if (wanted === 'unicast' || (wanted === 'auto' && !daemonAlive)) {
      // The records go to the socket that registers: the reader's, not the requests'.
      const reader = openSocket(addon, false, (b) => this.onMessages(b));
      const readerCtl = new AuditControl(addon, reader);
      this.reader = reader;
      this.readerCtl = readerCtl;
      try {
        await readerCtl.request(AUDIT_SET, auditSetPayload(process.pid, 1), 'AUDIT_SET pid');
        this.registered = true;
        this.channel = 'unicast';
        return;
      } catch (err) {
        readerCtl.close();
        addon.auditClose(reader);
        this.reader = undefined;
        this.readerCtl = undefined;
        if (wanted === 'unicast' || !(err instanceof NetlinkError && err.errno === EEXIST))
          throw controlError(err);
      }
    }
    this.reader = openSocket(addon, true, (b) => this.onMessages(b));
    this.channel = 'multicast';
    if (status.enabled === 0)
      await ctl
        .request(AUDIT_SET, auditSetPayload(status.pid, 1), 'AUDIT_SET enabled')
        .catch((e: unknown) => {
          throw controlError(e);
        });
  }

  private async addRule(ctl: AuditControl, rule: Buffer): Promise<void> {
    try {
      await ctl.request(AUDIT_ADD_RULE, rule, 'AUDIT_ADD_RULE');
    } catch (err) {
      // A rule left by a run that died: replace it.
      if (!(err instanceof NetlinkError && err.errno === EEXIST)) throw controlError(err);
      await ctl.request(AUDIT_DEL_RULE, rule, 'AUDIT_DEL_RULE').catch((e: unknown) => {
        if (!(e instanceof NetlinkError && e.errno === ENOENT)) throw controlError(e);
      });
      await ctl.request(AUDIT_ADD_RULE, rule, 'AUDIT_ADD_RULE').catch((e: unknown) => {
        throw controlError(e);
      });
    }
  }

  /** Adds the new rule before deleting the old one, so that no syscall goes unaudited between. */
  private async replaceRule(ctl: AuditControl, rule: Buffer): Promise<void> {
    if (!this.rule || this.control?.ctl !== ctl || rule.equals(this.rule)) return;
    try {
      await this.addRule(ctl, rule);
      const old = this.rule;
      this.rule = rule;
      await ctl.request(AUDIT_DEL_RULE, old, 'AUDIT_DEL_RULE').catch(() => undefined);
    } catch {
      // The old rule stays; the reader still drops the excluded pids' records.
    }
  }

  /**
   * Deletes the rules of tsem sources whose process is gone (killed, or an earlier release), and
   * puts back a backlog limit such a source raised and nobody changed since.
   */
  private async removeOrphanedRules(ctl: AuditControl): Promise<void> {
    for (const rule of await ctl.listRules()) {
      if (!isOrphaned(rule, readProcessIdentity)) continue;
      await ctl.request(AUDIT_DEL_RULE, rule.data, 'AUDIT_DEL_RULE').catch((e: unknown) => {
        if (!(e instanceof NetlinkError && e.errno === ENOENT)) throw controlError(e);
      });
      this.counts.orphanedRulesRemoved++;
      const raised = raisedBacklogOf(rule);
      if (raised && (await ctl.getStatus()).backlogLimit === raised.to)
        await ctl
          .request(AUDIT_SET, auditBacklogLimitPayload(raised.from), 'AUDIT_SET backlog_limit')
          .catch((e: unknown) => {
            throw controlError(e);
          });
    }
  }

  /**
   * Last resort at process exit (an uncaught error, process.exit, a second signal): sends the rule's
   * deletion and the audit pid's release without waiting for answers, which exit cannot await.
   */
  removeRuleNow(): void {
    const addon = this.addon;
    const control = this.control;
    if (!addon || !control) return;
    try {
      if (this.rule) addon.auditSend(control.handle, AUDIT_DEL_RULE, this.rule);
      if (this.registered)
        addon.auditSend(control.handle, AUDIT_SET, auditSetPayload(0, this.initial?.enabled ?? 1));
      if (this.raisedBacklog)
        addon.auditSend(
          control.handle,
          AUDIT_SET,
          auditBacklogLimitPayload(this.raisedBacklog.from)
        );
    } catch {
      // The socket is gone already: the next start removes the rule (its owner is gone).
    }
    this.rule = undefined;
    this.registered = false;
    this.raisedBacklog = undefined;
  }

  /** Raises the kernel's backlog limit to the wanted one when it is lower (0: no limit). */
  private async raiseBacklogLimit(ctl: AuditControl, status: AuditStatus): Promise<void> {
    const want = this.options.backlogLimit ?? DEFAULT_BACKLOG_LIMIT;
    if (want <= 0 || status.backlogLimit === 0 || status.backlogLimit >= want) return;
    await ctl
      .request(AUDIT_SET, auditBacklogLimitPayload(want), 'AUDIT_SET backlog_limit')
      .catch((e: unknown) => {
        throw controlError(e);
      });
    this.raisedBacklog = { from: status.backlogLimit, to: want };
  }

  /**
   * Puts back the backlog limit found at start, unless someone changed it since. (A second source
   * started meanwhile found it raised and restores nothing: the first one to stop puts it back.)
   */
  private async restoreBacklogLimit(ctl: AuditControl): Promise<void> {
    const raised = this.raisedBacklog;
    this.raisedBacklog = undefined;
    if (!raised) return;
    const now = await ctl.getStatus();
    if (now.backlogLimit !== raised.to) return;
    await ctl.request(AUDIT_SET, auditBacklogLimitPayload(raised.from), 'AUDIT_SET backlog_limit');
  }

  /** One batch of the reader; returns a pause before the next while the mapping backlog is long. */
  private onMessages(batch: AuditRawMessage[]): number {
    const now = Date.now();
    // A full mapping backlog would drop the groups anyway: drop their records unparsed.
    const shedding = this.mapping.length >= this.maxMapping;
    for (const m of batch) {
      if (this.readerCtl?.accept(m)) continue;
      if (m.type < FIRST_RECORD_TYPE || m.type > LAST_RECORD_TYPE || m.type === AUDIT_REPLACE)
        continue;
      this.counts.records++;
      if (shedding) {
        if (m.type === AUDIT_SYSCALL) this.counts.mappingDropped++;
        continue;
      }
      const r = parseNetlinkRecord(m.type, m.data);
      if (r.ok && r.record.type === 'SYSCALL') {
        const pid = Number(r.record.fields.get('pid')?.value ?? -1);
        // Reading /proc of an excluded process (ourselves above all) would be audited in turn.
        if (!this.isExcluded(pid)) {
          this.host.pinCapEff(r.record.serial, pid);
          this.pinCgroup(r.record);
        }
      }
      if (r.ok) {
        // The domain's creator is looked up now, while the launcher still holds it.
        this.landlock.observe(r.record);
        this.assembler.add(r.record, now);
      } else this.counts.parseErrors++;
    }
    // Mapping is what costs: let it run rather than parse records it could not take.
    return shedding || this.mapping.length >= this.maxMapping / 2 ? BACKLOG_PAUSE_MS : 0;
  }

  /**
   * Reads the process's cgroup as its SYSCALL record arrives, before a short-lived process exits;
   * an exec re-reads it (the canister launcher joins its cgroup right before exec), and a process
   * already gone resolves to its parent's (the record carries ppid).
   */
  private pinCgroup(sys: AuditRecord): void {
    if (!this.cgroups.enabled) return;
    const arch = num(sys, 'arch', 16);
    const nr = num(sys, 'syscall');
    const name =
      arch !== undefined && nr !== undefined ? syscallName(Number(arch), Number(nr)) : undefined;
    const id = this.cgroups.of(Number(num(sys, 'pid') ?? -1), {
      fresh: name === 'execve' || name === 'execveat',
      ppid: Number(num(sys, 'ppid') ?? -1),
    });
    if (this.pinnedCgroups.size >= MAX_PINNED_CGROUPS)
      this.pinnedCgroups.delete(this.pinnedCgroups.keys().next().value!);
    this.pinnedCgroups.set(sys.serial, id);
  }

  private onGroup(g: AuditEventGroup): void {
    this.counts.groups++;
    const cgroupId = this.pinnedCgroups.get(g.serial);
    this.pinnedCgroups.delete(g.serial);
    const pid = g.records.find((r) => r.type === 'SYSCALL')?.fields.get('pid')?.value;
    if (pid !== undefined && this.isExcluded(Number(pid))) {
      this.counts.excluded++;
      return;
    }
    if (this.mapping.length >= this.maxMapping) {
      this.counts.mappingDropped++;
      return;
    }
    this.mapping.push({ g, cgroupId, landlock: this.landlock.refOf(g) });
    this.kick();
  }

  private isExcluded(pid: number): boolean {
    return pid === process.pid || this.exclusion.has(pid);
  }

  private kick(): void {
    if (this.mapper || this.mapping.length === 0) return;
    this.mapper = this.mapAll().finally(() => {
      this.mapper = undefined;
      this.kick();
    });
  }

  /** Maps waiting groups in order, yielding to the event loop every MAP_SLICE groups. */
  private async mapAll(): Promise<void> {
    let n = 0;
    for (let w = this.mapping.shift(); w; w = this.mapping.shift()) {
      const { g, cgroupId, landlock } = w;
      try {
        const r = await mapAuditGroup(g, this.host);
        if ('skipped' in r) this.counts.skipped++;
        for (const event of r.events) {
          this.counts.events++;
          const namespace = this.nsOf(Number(event.event.pid ?? -1));
          this.queue.push(sourcedEvent(namespace, event, { cgroupId, landlock }));
        }
      } catch {
        this.counts.skipped++;
      }
      if (++n % MAP_SLICE === 0) await new Promise((r) => setImmediate(r));
    }
  }
}

function openSocket(
  addon: NativeAddon,
  multicast: boolean,
  onMessages: (b: AuditRawMessage[]) => number | void
): NativeHandle {
  try {
    return addon.auditOpen(multicast, onMessages);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EPROTONOSUPPORT')
      throw new EngineError(
        'TSEM_UNAVAILABLE',
        'NETLINK_AUDIT is not supported: the kernel was built without audit (CONFIG_AUDIT)',
        { cause: err }
      );
    if (code === 'EPERM' || code === 'EACCES') {
      throw new EngineError(
        'TSEM_PERMISSION',
        `${(err as Error).message}: the audit source needs root (CAP_AUDIT_CONTROL${multicast ? ', CAP_AUDIT_READ' : ''})`,
        { cause: err }
      );
    }
    throw new EngineError('TSEM_UNAVAILABLE', (err as Error).message, { cause: err });
  }
}

function controlError(err: unknown): Error {
  if (err instanceof EngineError) return err;
  if (err instanceof NetlinkError) {
    if (err.errno === EPERM)
      return new EngineError(
        'TSEM_PERMISSION',
        `${err.request}: operation not permitted: the audit source needs root (CAP_AUDIT_CONTROL) in the initial user and pid namespace`,
        { cause: err }
      );
    return new EngineError(
      'TSEM_UNAVAILABLE',
      `${err.request}: the kernel refused with errno ${err.errno}`,
      { cause: err }
    );
  }
  return new EngineError('TSEM_UNAVAILABLE', (err as Error).message, { cause: err });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Why the audit source cannot run here (addon, kernel audit or privilege missing), or undefined. */
export async function auditUnavailableReason(): Promise<string | undefined> {
  let addon: NativeAddon;
  let handle: NativeHandle;
  try {
    addon = loadNativeAddon();
    handle = openSocket(addon, false, (b) => {
      for (const m of b) ctl.accept(m);
    });
  } catch (err) {
    return (err as Error).message;
  }
  const ctl = new AuditControl(addon, handle);
  try {
    const status = await ctl.getStatus();
    return status.enabled === 2
      ? 'kernel audit is locked (enabled=2): rules cannot change until reboot'
      : undefined;
  } catch (err) {
    return controlError(err).message;
  } finally {
    ctl.close();
    addon.auditClose(handle);
  }
}

/** The kernel's audit status now (AUDIT_GET): enabled, pid, backlog limit, lost, backlog. */
export async function readAuditStatus(): Promise<AuditStatus> {
  const addon = loadNativeAddon();
  const handle = openSocket(addon, false, (b) => {
    for (const m of b) ctl.accept(m);
  });
  const ctl = new AuditControl(addon, handle);
  try {
    return await ctl.getStatus().catch((e: unknown) => {
      throw controlError(e);
    });
  } finally {
    ctl.close();
    addon.auditClose(handle);
  }
}
