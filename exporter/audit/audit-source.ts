/**
 * The live audit source: installs one exit-filter rule for the audited syscalls, reads records
 * from NETLINK_AUDIT (as the registered audit daemon when none runs, else from the read-only
 * multicast group beside auditd), reassembles them by serial and maps them to TSEM events.
 * stop() removes the rule and hands the audit pid back. The kernel's lost counter and backlog
 * are polled and reported by stats(), never hidden.
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
import type { EventSource, SourcedEvent, SourceStats } from '../source.js';
import { AuditAssembler, type AuditEventGroup } from './audit-assembler.js';
import { AuditControl, NetlinkError } from './audit-control.js';
import { HostFacts } from './audit-host.js';
import { mapAuditGroup } from './audit-mapper.js';
import {
  ALL_SYSCALLS,
  AUDIT_ADD_RULE,
  AUDIT_DEL_RULE,
  AUDIT_SET,
  auditSetPayload,
  nativeArch,
  ruleDataPayload,
  SYSCALL_NUMBERS,
  syscallName,
  type AuditStatus,
} from './audit-netlink.js';
import type { AuditOptions } from './audit-options.js';
import { type AuditRecord, num, parseNetlinkRecord } from './audit-record.js';

const EPERM = 1;
const EEXIST = 17;
const ENOENT = 2;
const FIRST_RECORD_TYPE = 1300;
const LAST_RECORD_TYPE = 2999;
/** A binary liveness probe the kernel sends the audit daemon (a u32 pid), not a record. */
const AUDIT_REPLACE = 1329;
/** Serials whose cgroup was read on arrival, kept at most (oldest out first). */
const MAX_PINNED_CGROUPS = 4096;

export class AuditSource implements EventSource {
  private readonly queue: EventQueue;
  private readonly nsOf: NamespaceMapper;
  private readonly host: HostFacts;
  private readonly assembler: AuditAssembler;
  private readonly cgroups: TaskCgroups;
  /** serial → the process's cgroup id, read when its SYSCALL record arrived. */
  private readonly pinnedCgroups = new Map<number, string | undefined>();
  private addon: NativeAddon | undefined;
  private control: { handle: NativeHandle; ctl: AuditControl } | undefined;
  private reader: NativeHandle | undefined;
  private rule: Buffer | undefined;
  /** What to restore on stop: the enabled flag we found, and whether we took the audit pid. */
  private initial: AuditStatus | undefined;
  private registered = false;
  private lastStatus: AuditStatus | undefined;
  private channel: 'unicast' | 'multicast' | undefined;
  private chain: Promise<void> = Promise.resolve();
  private statsTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly counts = { records: 0, parseErrors: 0, groups: 0, events: 0, skipped: 0 };

  constructor(private readonly options: AuditOptions = {}) {
    this.queue = new EventQueue(options.maxQueued);
    this.nsOf = createNamespaceMapper(options.namespace ?? { kind: 'host' }, hostname());
    this.host = new HostFacts(true, options.digestAlgorithm ?? 'sha256');
    this.assembler = new AuditAssembler((g) => this.onGroup(g));
    this.cgroups = new TaskCgroups(options.cgroups);
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
    const handle = openSocket(addon, false, (b) => this.onMessages(b));
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
      await this.chooseChannel(addon, ctl, status);
      const numbers = (this.options.syscalls ?? ALL_SYSCALLS)
        .map((s) => SYSCALL_NUMBERS[arch]?.[s])
        .filter((n): n is number => n !== undefined);
      this.rule = ruleDataPayload({
        arch,
        syscalls: numbers,
        key: this.options.key ?? 'tsem',
        excludePid: process.pid,
        ppid: this.options.ppid,
      });
      await this.addRule(ctl, this.rule);
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
    const addon = this.addon;
    const control = this.control;
    if (!addon || !control) return;
    const { handle, ctl } = control;
    const errors: unknown[] = [];
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
    this.lastStatus = ctl.status;
    ctl.close();
    if (this.reader) addon.auditClose(this.reader);
    addon.auditClose(handle);
    this.reader = undefined;
    this.control = undefined;
    this.assembler.flushAll();
    await this.chain;
    this.queue.end();
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
    return {
      lost: s?.lost ?? 0,
      backlog: s?.backlog ?? 0,
      backlogLimit: s?.backlogLimit ?? 0,
      socketOverruns:
        overruns +
        (this.addon && this.control
          ? this.addon.auditStats(this.control.handle).socketOverruns
          : 0),
      ...this.counts,
      incomplete: this.assembler.incomplete,
      dropped: this.queue.dropped,
      multicast: this.channel === 'multicast' ? 1 : 0,
      cgroupUnknown: this.cgroups.counts.unknown,
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
      try {
        await ctl.request(AUDIT_SET, auditSetPayload(process.pid, 1), 'AUDIT_SET pid');
        this.registered = true;
        this.channel = 'unicast';
        return;
      } catch (err) {
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

  private onMessages(batch: AuditRawMessage[]): void {
    const now = Date.now();
    for (const m of batch) {
      if (this.control?.ctl.accept(m)) continue;
      if (m.type < FIRST_RECORD_TYPE || m.type > LAST_RECORD_TYPE || m.type === AUDIT_REPLACE)
        continue;
      this.counts.records++;
      const r = parseNetlinkRecord(m.type, m.data);
      if (r.ok && r.record.type === 'SYSCALL') {
        this.host.pinCapEff(r.record.serial, Number(r.record.fields.get('pid')?.value ?? -1));
        this.pinCgroup(r.record);
      }
      if (r.ok) this.assembler.add(r.record, now);
      else this.counts.parseErrors++;
    }
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
    this.chain = this.chain
      .then(async () => {
        const r = await mapAuditGroup(g, this.host);
        if ('skipped' in r) this.counts.skipped++;
        for (const event of r.events) {
          this.counts.events++;
          const namespace = this.nsOf(Number(event.event.pid ?? -1));
          this.queue.push(
            cgroupId !== undefined ? { namespace, event, cgroupId } : { namespace, event }
          );
        }
      })
      .catch(() => {
        this.counts.skipped++;
      });
  }
}

function openSocket(
  addon: NativeAddon,
  multicast: boolean,
  onMessages: (b: AuditRawMessage[]) => void
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
