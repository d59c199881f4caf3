/**
 * Options of the fanotify source, with their documented defaults.
 */
import type { TaskCgroupsOptions } from '../host/cgroup.js';
import type { NamespaceRule } from '../nsmap/namespace-rule.js';

/** What a watch marks: the mount holding the path, its whole filesystem (every mount of it), or
 * the directory itself and its direct children. */
export type FanotifyMarkKind = 'mount' | 'filesystem' | 'directory';

export interface FanotifyWatch {
  readonly path: string;
  /** Default 'mount'. */
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
  /** Also allow and skip events of our direct children. Default true (an engine's helpers never
   * wait on the engine); tests that observe their own children set false. */
  readonly ignoreChildren?: boolean;
  /** Notification events buffered ahead of a slow consumer before they are dropped (counted). */
  readonly maxQueued?: number;
  /** How processes' cgroup v2 ids are found (canister routing); default: the host's hierarchy. */
  readonly cgroups?: TaskCgroupsOptions;
}

export const DEFAULT_DECISION_TIMEOUT_MS = 2000;
