/** Options of the audit sources, with their documented defaults. */
import type { TaskCgroupsOptions } from '../host/cgroup.js';
import type { ProcessExclusion } from '../host/daemon-registry.js';
import type { NamespaceRule } from '../nsmap/namespace-rule.js';
import type { AuditedSyscall } from './audit-netlink.js';

export interface AuditOptions {
  /** Syscalls to audit. Default ALL_SYSCALLS (execve, open*, connect, bind, accept*, kill,
   * ptrace, init_module, finit_module, mount). */
  readonly syscalls?: readonly AuditedSyscall[];
  /** Rule key (auditctl -k): our records carry it, and stop() removes exactly our rule. Default "tsem". */
  readonly key?: string;
  /** Audit only children of this pid (keeps rules narrow, e.g. in tests). Default: every process. */
  readonly ppid?: number;
  /** 'auto' (default): register as the audit daemon when none runs, else read the read-only
   * multicast group beside auditd. 'unicast' / 'multicast' force one. */
  readonly channel?: 'auto' | 'unicast' | 'multicast';
  /** Modeling namespace rule. Default { kind: 'host' }. */
  readonly namespace?: NamespaceRule;
  /** Digest algorithm for file digests and task-id sizes. Default 'sha256'. */
  readonly digestAlgorithm?: string;
  /** How often the kernel's lost/backlog counters are polled (AUDIT_GET). Default 1000 ms. */
  readonly statsIntervalMs?: number;
  /** Events buffered ahead of a slow consumer before they are dropped (counted). */
  readonly maxQueued?: number;
  /** How processes' cgroup v2 ids are found (canister routing); default: the host's hierarchy. */
  readonly cgroups?: TaskCgroupsOptions;
  /** Record groups waiting to be mapped before new ones are dropped (counted). Default 4096. */
  readonly maxMapping?: number;
  /** Processes never reported besides this one. Default: the host's other tsem daemons. */
  readonly exclude?: ProcessExclusion;
  /**
   * The kernel's audit backlog limit (records queued for the reader before they are lost) is
   * raised to this while the source runs when it is lower, and put back on stop. Default 8192;
   * 0 leaves it alone.
   */
  readonly backlogLimit?: number;
}

export interface AuditLogOptions {
  /** auditd log file (e.g. /var/log/audit/audit.log), raw or enriched format. */
  readonly file: string;
  readonly namespace?: NamespaceRule;
  readonly digestAlgorithm?: string;
  readonly maxQueued?: number;
}
