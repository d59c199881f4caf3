/**
 * The namespace's types as the rest of the engine sees them: configuration, verdicts, the change
 * set the store writes, and what the author's operations report (namespace-model.ts).
 */
import { EngineError } from '../../common/errors.js';
import type { EventDescription } from '../event/describe.js';
import type { Point } from '../contour/contour-map.js';
import type { Mode } from '../contour/mode.js';
import { createDigest } from '../measure/digest.js';
import type { Dialect } from '../measure/mapper.js';
import type { Convergence, ConvergenceSnapshot } from './convergence.js';
import type { Finding } from './finding-table.js';
import type { LedgerEntry } from './ingest-ledger.js';
import type { Task, Trust } from './task-table.js';

export interface NamespaceConfig {
  readonly id: string;
  readonly digest: string;
  /** §1.3: ids from the initial user namespace or the caller's. Recorded; sources apply it. */
  readonly nsref: 'initial' | 'current';
  readonly mode: Mode;
  readonly dialect: Dialect;
  readonly taskIdCoe: 'zero' | 'actual';
  /** Load only models whose signature verifies against the server's model keys (model lock). */
  readonly requireSignedModels: boolean;
  /** Hardware aggregate (§2.7), the first extension; zero when no TPM. */
  readonly aggregate: Buffer;
  readonly base: Buffer;
}

export type VerdictKind =
  | 'learned'
  | 'on-contour'
  | 'would-be-off-contour'
  | 'off-contour'
  | 'untrusted-task'
  | 'lifecycle';

export interface Verdict {
  readonly kind: VerdictKind;
  readonly action: 'allow' | 'deny';
  /** Absent for lifecycle events and for events of untrusted tasks (not modeled, §3.5). */
  readonly coefficient?: Buffer;
  readonly taskId: Buffer;
  readonly pTaskId: Buffer;
  readonly trust: Trust;
  /** Per-namespace event sequence number (1-based). */
  readonly seq: number;
  /** The coefficient joined the map with this event (learned or forensic): it extended the
   * measurement (and, for the root namespace, the TPM PCR). */
  readonly newPoint: boolean;
  /** A Landlock denial was judged: the access rights the kernel denied (the header's `landlock`);
   * absent for every other event. Readers need not parse the event again to know. */
  readonly landlock?: string;
}

export interface EventEntry {
  readonly coefficient: Buffer;
  readonly line: string;
}

/**
 * A trajectory or forensics entry as the model holds it: the line of an older entry may live only
 * in the store (bounded in-memory tails, NamespaceModel.releaseLines); entry-lines.ts reads it.
 */
export interface HeldEntry {
  readonly coefficient: Buffer;
  readonly line?: string;
}

/** A line that could not be parsed, kept as evidence in a sealed namespace: its event number, the
 * line (escaped, possibly cut) and why it was rejected. */
export interface RejectedEntry {
  readonly seq: number;
  readonly line: string;
  readonly reason: string;
}

/** Rejected lines kept per namespace; beyond this they are counted (and alerted) but not kept. */
export const MAX_REJECTED_KEPT = 10_000;

/** What the namespace did with a line it could not parse. */
export interface Rejection {
  /** The event number it was given, when it was kept as evidence. */
  readonly seq?: number;
  /** Sealed and enforce: an alert; audit: a would-be alert. */
  readonly alert: boolean;
  /** Enforce: fail closed. */
  readonly deny: boolean;
}

/** A description as the namespace keeps it: a finding's also holds its event's kernel line, so
 * that accepting the finding can append that event to the trajectory. */
export type StoredDescription = EventDescription & { readonly line?: string };

/** What one point is to the namespace (findings are not points until accepted). */
export type PointStatus = 'valid' | 'forensic' | 'finding';

/** One coefficient to accept; `line` is its event (a finding's, from its stored description). */
export interface AcceptTarget {
  readonly hex: string;
  readonly line?: string;
}

export interface AcceptOutcome {
  readonly hex: string;
  /** What it was: a finding joins as a new valid point, a forensic point becomes valid in place. */
  readonly was: PointStatus | 'unknown';
}

/** What loading a model did. */
export interface LoadOutcome {
  readonly added: number;
  /** Forensic points the model holds, now valid in place. */
  readonly promoted: number;
  /** Findings the model holds, now valid points. */
  readonly accepted: number;
}

/** A point as readers see it: the map's own record, not to be changed from outside. */
export type PointView = Readonly<Point>;

/** The convergence figures readers may see (recording stays with the namespace). */
export type ConvergenceView = Pick<
  Convergence,
  'figures' | 'settled' | 'snapshot' | 'windowEvents' | 'settings' | 'quietWindows'
>;

/** What a failed write must not take back: forensics and untrusted tasks (keepTransitions()). */
export interface SecurityTransitions {
  readonly forensics: readonly EventEntry[];
  readonly untrusted: readonly [string, Task][];
  /** The descriptions of those forensic points, written again with them. */
  readonly descriptions: readonly (readonly [string, StoredDescription])[];
}

/** The security transitions of a change set. */
export function securityTransitions(cs: ChangeSet): SecurityTransitions {
  const forensic = new Set(cs.forensics.map((e) => e.coefficient.toString('hex')));
  return {
    forensics: cs.forensics,
    untrusted: cs.tasks.filter((e): e is [string, Task] => e[1]?.trust === 'untrusted'),
    descriptions: cs.descriptions.filter(([hex]) => forensic.has(hex)),
  };
}

/** What changed since the last drain: the store writes it as one atomic batch. */
export interface ChangeSet {
  readonly points: readonly Point[];
  readonly trajectory: readonly EventEntry[];
  /** Index of trajectory[0] in the namespace's whole trajectory. */
  readonly trajectoryStart: number;
  readonly forensics: readonly EventEntry[];
  readonly forensicsStart: number;
  readonly audit: readonly Finding[];
  /** Findings gone from the table (accepted). */
  readonly removedFindings: readonly string[];
  /** Descriptions of new points and findings, by coefficient hex (written once each). */
  readonly descriptions: readonly (readonly [string, StoredDescription])[];
  readonly tasks: readonly [string, Task | undefined][];
  readonly rejected: readonly RejectedEntry[];
  readonly rejectedStart: number;
  /** The model was replaced: drop every stored point, entry, finding and description first. */
  readonly reset: boolean;
  /** Exporters' applied sequence numbers (exactly-once ingest), written with the events;
   * undefined: forgotten (deleted). */
  readonly ingest: readonly [string, LedgerEntry | undefined][];
}

export function createNamespaceConfig(
  p: Partial<NamespaceConfig> & { id: string }
): NamespaceConfig {
  const alg = createDigest(p.digest ?? 'sha256');
  const cfg: NamespaceConfig = {
    id: p.id,
    digest: alg.name,
    nsref: p.nsref ?? 'initial',
    mode: p.mode ?? 'learn',
    dialect: p.dialect ?? 'tsem-6.12',
    taskIdCoe: p.taskIdCoe ?? 'zero',
    requireSignedModels: p.requireSignedModels ?? false,
    aggregate: p.aggregate ?? alg.nullDigest,
    base: p.base ?? alg.nullDigest,
  };
  for (const [what, v] of [
    ['aggregate', cfg.aggregate],
    ['base', cfg.base],
  ] as const) {
    if (v.length !== alg.size) {
      throw new EngineError(
        'TSEM_DIGEST',
        `namespace ${p.id}: ${what} must be ${alg.size} bytes for ${alg.name}, got ${v.length}`
      );
    }
  }
  return cfg;
}

/**
 * A namespace model's changes as one copy of it hands them to another (engine/shard: a worker's
 * model and the main thread's mirror, either way): the change set and the figures it does not
 * carry. Applied with NamespaceModel.applyDelta.
 */
export interface ModelDelta {
  readonly changes: ChangeSet;
  readonly config: NamespaceConfig;
  readonly pseudonyms: readonly string[];
  readonly measurement: Buffer;
  readonly events: number;
  readonly rejectedTotal: number;
  readonly convergence: ConvergenceSnapshot;
  /** decisionEpoch's parts: mode and model changes, and task identity changes. */
  readonly decisionChanges: number;
  readonly identityChanges: number;
}
