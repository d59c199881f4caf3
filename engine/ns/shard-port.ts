/**
 * Worker threads that decide namespaces' events, as the pipeline uses them: declared here by
 * their consumer (write-behind.ts), implemented by engine/shard (ShardPool).
 */
import type { ModelDelta, NamespaceModel, Verdict } from './namespace-model.js';
import type { EventOrigin, IncomingEvent, IngestPosition, Outcome } from './pipeline-work.js';
import type { StageRecord } from './stage.js';

/** One event's result as it comes back from a worker: the Outcome without the parsed event. */
export type WireOutcome =
  | { readonly verdict: Verdict; readonly records?: readonly StageRecord[] }
  | Exclude<Outcome, { readonly verdict: Verdict }>;

export interface ShardRun {
  readonly origin: EventOrigin;
  /** The origin tasks are keyed by (pipeline-work.ts taskOrigin). */
  readonly taskKey: string;
  readonly now: number;
  readonly position?: IngestPosition;
  readonly events: readonly IncomingEvent[];
}

export interface ShardResult {
  /** The first events' outcomes: all, unless the namespace changed its mode on the way. */
  readonly outcomes: readonly WireOutcome[];
  /** For the mirror (NamespaceModel.applyDelta, recorded). */
  readonly delta: ModelDelta;
}

export interface ShardRunner {
  /** Runs events of `name` in its worker, copying the mirror there first when needed. */
  run(name: string, mirror: NamespaceModel, run: ShardRun): Promise<ShardResult>;
  /** The mirror applied a run's delta: the copies agree again. */
  synced(name: string, mirror: NamespaceModel): void;
  /** The mirror's own changes (a control action), for the worker's copy. */
  update(name: string, mirror: NamespaceModel, delta: ModelDelta): void;
  /** The namespace is gone: its copy too. */
  drop(name: string): void;
  close(): Promise<void>;
}
