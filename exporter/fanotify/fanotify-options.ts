/**
 * Options of the fanotify source, with their documented defaults.
 */
import type { TaskCgroupsOptions } from '../host/cgroup.js';
import type { ProcessExclusion } from '../host/daemon-registry.js';
import type { NamespaceRule } from '../nsmap/namespace-rule.js';

/**
 * What a watch covers. fanotify marks are not recursive, so a subtree is a mount mark filtered
 * in user space by path:
 * - `subtree` (default): files under the path (at any depth), on the mount that holds it;
 * - `mount`: every file of the mount that holds the path;
 * - `filesystem`: every file of its filesystem, on every mount of it;
 * - `directory`: the directory itself and its direct children only.
 */
export type FanotifyMarkKind = 'subtree' | 'mount' | 'filesystem' | 'directory';
export const FANOTIFY_MARK_KINDS: readonly FanotifyMarkKind[] = [
  'subtree',
  'mount',
  'filesystem',
  'directory',
];

export interface FanotifyWatch {
  readonly path: string;
  /** Default 'subtree'. */
  readonly mark?: FanotifyMarkKind;
}

export interface FanotifyOptions {
  /** Paths to watch; a bare string is a mount mark. At least one. */
  readonly watch: readonly (string | FanotifyWatch)[];
  /** Hold opens and execs until `respond` (permission events). Default false (observe only). */
  readonly enforce?: boolean;
  /** How long a held event waits for its verdict. Default DEFAULT_DECISION_TIMEOUT_MS (2000 ms). */
  readonly decisionTimeoutMs?: number;
  /** Verdict written when the timeout passes or the source stops with events held:
   * 'open' allows (default: a stalled engine never stalls the host), 'closed' denies (EPERM). */
  readonly failMode?: 'open' | 'closed';
  /** Modeling namespace rule. Default { kind: 'host' }. */
  readonly namespace?: NamespaceRule;
  /** Content digest algorithm (node:crypto name), the namespace hash. Default 'sha256'. */
  readonly digestAlgorithm?: string;
  /** Extra pids whose events are allowed at once and never reported (our own pid always is). */
  readonly ignorePids?: readonly number[];
  /** Processes never reported, updated as they change. Default: the host's other tsem daemons. */
  readonly exclude?: ProcessExclusion;
  /** Also allow and skip events of our direct children. Default false: the engine starts no
   * helpers, and a workload must never be hidden for being some process's child. */
  readonly ignoreChildren?: boolean;
  /** Notification events buffered ahead of a slow consumer before they are dropped (counted). */
  readonly maxQueued?: number;
  /** How processes' cgroup v2 ids are found (canister routing); default: the host's hierarchy. */
  readonly cgroups?: TaskCgroupsOptions;
  /** Events the native reader queues for JavaScript at most (default 8192). */
  readonly readerQueue?: number;
  /** Permission events held at once at most (default 4096); more get the fail mode at once. */
  readonly maxHeld?: number;
  /** Events waiting to be mapped at most (default 4096); beyond it notifications are dropped and
   * permission events answered by the fail mode, each counted. */
  readonly maxMapping?: number;
  /**
   * Enforce mode: the native reader remembers the allows the engine marks cacheable (respond's
   * second argument) and answers the same held open again itself, still reporting it (events
   * carry `onVerdict`). Only for an engine that empties it when its decisions change
   * (`invalidate()`); off with the linux-ns namespace rule (its key has no Linux namespaces).
   * Default false.
   */
  readonly verdictCache?: boolean;
}

export const DEFAULT_DECISION_TIMEOUT_MS = 2000;
