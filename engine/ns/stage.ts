/**
 * Extension points of the pipeline, declared here by their consumer (the pipeline) and implemented
 * elsewhere (IMA, the TPM PCR extension, the trusted agent mirror).
 */
import type { TsemEvent } from '../event/event.js';
import type { NamespaceModel, Verdict } from './namespace-model.js';

/** One thing a stage reports about an event, for subscribers and alert outputs. */
export interface StageRecord {
  /** The stage that made it (`ima`). */
  readonly stage: string;
  /** Flat key-value fields (IMA: INTEGRITY_DATA-style op, cause, status, filename, ...). */
  readonly fields: Readonly<Record<string, string>>;
  /** Meant for people: a failure, not a routine measurement. */
  readonly alert: boolean;
}

/** What a stage adds to one event's outcome. */
export interface StageResult {
  /** Turn the verdict's action into a denial (e.g. an IMA appraisal failure in enforce mode). */
  readonly deny?: boolean;
  readonly records?: readonly StageRecord[];
}

/** Where the event came from and what earlier stages reported about it. */
export interface StageContext {
  readonly origin: { readonly host: string; readonly exporter: string };
  /** The origin the model keyed the event's task by (identity and host, pipeline.ts taskOrigin). */
  readonly taskOrigin?: string;
  readonly records: readonly StageRecord[];
}

/**
 * One record of the store's atomic batch, by sublevel path from the database's root (e.g.
 * `['ima']`): what a stage (or, later, an integrity record) adds to a namespace's batch.
 */
export type StoreOp =
  | {
      readonly type: 'put';
      readonly path: readonly string[];
      readonly key: string;
      readonly value: unknown;
    }
  | { readonly type: 'del'; readonly path: readonly string[]; readonly key: string };

/** Records a stage writes in the batch of the namespace's changes, and what to do once written. */
export interface StageWrite {
  readonly ops: readonly StoreOp[];
  /** Runs once the batch is written, in write order (before any later batch's). */
  committed?(): void;
}

export interface PipelineStage {
  /** Runs after the model's verdict, in the namespace's order; must not throw for bad input. */
  afterVerdict(
    ns: NamespaceModel,
    event: TsemEvent,
    verdict: Verdict,
    ctx?: StageContext
  ): StageResult | undefined;
  /**
   * What this stage must persist atomically with the namespace's batch (e.g. the IMA log entries
   * of its events), taken synchronously right after the batch's events were applied.
   */
  persistOps?(ns: NamespaceModel): StageWrite | undefined;
  /** After a batch is persisted (e.g. extend new root coefficients into a TPM PCR, in order). */
  afterPersist?(ns: NamespaceModel, outcomes: readonly { verdict?: Verdict }[]): Promise<void>;
  /**
   * A batch of `ns` was not persisted (the store failed): forget what was noted for it; the
   * namespace is reloaded from the store.
   */
  persistFailed?(ns: NamespaceModel): void;
  /** The store was reloaded after a failure: reload what this stage keeps in it. */
  storeRecovered?(): Promise<void>;
}
