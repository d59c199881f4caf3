/**
 * The factory the CLI and the gRPC exporter use to get an event source by kind:
 *
 * | kind        | what it reads                                   | options used |
 * |-------------|-------------------------------------------------|--------------|
 * | `fanotify`  | fanotify marks on `watch` paths (root)          | watch, markKind, enforce, decisionTimeoutMs, failMode, namespace, digestAlgorithm, maxQueued, exclude |
 * | `audit`     | kernel audit records over NETLINK_AUDIT (root)  | syscalls, auditKey, auditPpid, auditChannel, namespace, digestAlgorithm, maxQueued, exclude |
 * | `audit-log` | an auditd text log file, offline                | logFile, namespace, digestAlgorithm, maxQueued |
 *
 * Every source is `{ start(), stop(), stats(), [Symbol.asyncIterator] }` yielding
 * `{ namespace, event, respond? }` (source.ts). Bad options throw EngineError
 * TSEM_INVALID_ARGUMENT naming the option; a missing kernel feature or privilege surfaces from
 * `start()` as one EngineError naming what is missing.
 */
import { EngineError } from '../common/errors.js';
import { AuditLogSource } from './audit/audit-log-source.js';
import type { AuditedSyscall } from './audit/audit-netlink.js';
import { ALL_SYSCALLS } from './audit/audit-netlink.js';
import { AuditSource } from './audit/audit-source.js';
import { DEFAULT_DECISION_TIMEOUT_MS, type FanotifyMarkKind } from './fanotify/fanotify-options.js';
import { FanotifySource } from './fanotify/fanotify-source.js';
import { type NamespaceRule, parseNamespaceRule } from './nsmap/namespace-rule.js';
import type { EventSource } from './source.js';
import type { ProcessExclusion } from './host/daemon-registry.js';

export type SourceKind = 'fanotify' | 'audit' | 'audit-log';
export const SOURCE_KINDS: readonly SourceKind[] = ['fanotify', 'audit', 'audit-log'];

export interface SourceOptions {
  /** fanotify: paths to watch (`--watch PATH`, repeatable). Required for fanotify. */
  readonly watch?: readonly string[];
  /** fanotify: what each watch covers: 'subtree' (default), 'mount', 'filesystem' or 'directory'. */
  readonly markKind?: FanotifyMarkKind;
  /** fanotify: hold opens/execs for a verdict (`--enforce`). Default false. */
  readonly enforce?: boolean;
  /** fanotify: verdict timeout in ms. Default 2000 (DEFAULT_DECISION_TIMEOUT_MS). */
  readonly decisionTimeoutMs?: number;
  /** fanotify: verdict on timeout or stop: 'open' (allow, default) or 'closed' (deny with EPERM). */
  readonly failMode?: 'open' | 'closed';
  /** Namespace rule, as an object or its CLI form: `host`, `host:NAME`, `linux-ns`,
   * `linux-ns:mnt+pid+user`, `cgroup`. Default `host`. */
  readonly namespace?: NamespaceRule | string;
  /** Digest algorithm (node:crypto name) of file digests: the namespace hash. Default 'sha256'. */
  readonly digestAlgorithm?: string;
  /** audit-log: the auditd log file (`--source audit-log FILE`). Required for audit-log. */
  readonly logFile?: string;
  /** audit: syscalls to audit. Default every mapped one. */
  readonly syscalls?: readonly AuditedSyscall[];
  /** audit: rule key. Default 'tsem'. */
  readonly auditKey?: string;
  /** audit: only children of this pid. Default every process. */
  readonly auditPpid?: number;
  /** audit: 'auto' (default), 'unicast' (be the audit daemon) or 'multicast' (beside auditd). */
  readonly auditChannel?: 'auto' | 'unicast' | 'multicast';
  /** Notification events buffered ahead of a slow consumer before being dropped (counted). */
  readonly maxQueued?: number;
  /** fanotify, enforce: answer repeated opens the engine allowed in the native reader (the
   * verdict cache), kept right by the engine's invalidations (in process, or DecisionsChanged on
   * an Ingest stream); default false. */
  readonly verdictCache?: boolean;
  /** fanotify, audit: processes never reported. Default: the host's other tsem daemons
   * (exporter/host/daemon-registry.ts). */
  readonly exclude?: ProcessExclusion;
}

function invalid(message: string): EngineError {
  return new EngineError('TSEM_INVALID_ARGUMENT', message);
}

function namespaceRule(v: SourceOptions['namespace']): NamespaceRule | undefined {
  if (v === undefined || typeof v !== 'string') return v;
  const rule = parseNamespaceRule(v);
  if (!rule)
    throw invalid(
      `namespace rule '${v}': expected host, host:NAME, linux-ns, linux-ns:mnt+pid+user or cgroup`
    );
  return rule;
}

export function createSource(kind: SourceKind, options: SourceOptions = {}): EventSource {
  const namespace = namespaceRule(options.namespace);
  const common = {
    namespace,
    digestAlgorithm: options.digestAlgorithm,
    maxQueued: options.maxQueued,
    ...(options.exclude ? { exclude: options.exclude } : {}),
  };
  if (kind !== 'fanotify' && (options.enforce || options.watch?.length)) {
    throw invalid(`source ${kind}: --enforce and --watch apply to the fanotify source only`);
  }
  if (
    options.decisionTimeoutMs !== undefined &&
    !(Number.isInteger(options.decisionTimeoutMs) && options.decisionTimeoutMs > 0)
  ) {
    throw invalid(
      `decision timeout: expected a positive integer of milliseconds, got ${options.decisionTimeoutMs}`
    );
  }
  switch (kind) {
    case 'fanotify': {
      if (!options.watch?.length)
        throw invalid('source fanotify: expected at least one --watch PATH');
      return new FanotifySource({
        ...common,
        watch: options.watch.map((path) => ({ path, mark: options.markKind ?? 'subtree' })),
        enforce: options.enforce,
        decisionTimeoutMs: options.decisionTimeoutMs ?? DEFAULT_DECISION_TIMEOUT_MS,
        failMode: options.failMode,
        verdictCache: options.verdictCache,
      });
    }
    case 'audit': {
      const unknown = (options.syscalls ?? []).filter((s) => !ALL_SYSCALLS.includes(s));
      if (unknown.length > 0)
        throw invalid(
          `source audit: unknown syscalls ${unknown.join(', ')}; expected some of ${ALL_SYSCALLS.join(', ')}`
        );
      return new AuditSource({
        ...common,
        syscalls: options.syscalls,
        key: options.auditKey,
        ppid: options.auditPpid,
        channel: options.auditChannel,
      });
    }
    case 'audit-log':
      if (!options.logFile) throw invalid('source audit-log: expected the auditd log FILE');
      return new AuditLogSource({ ...common, file: options.logFile });
    default:
      throw invalid(`source '${String(kind)}': expected one of ${SOURCE_KINDS.join(', ')}`);
  }
}
