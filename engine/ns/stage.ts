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

export interface PipelineStage {
  /** Runs after the model's verdict, in the namespace's order; must not throw for bad input. */
  afterVerdict(
    ns: NamespaceModel,
    event: TsemEvent,
    verdict: Verdict,
    ctx?: StageContext
  ): StageResult | undefined;
  /** After a batch is persisted (e.g. extend new root coefficients into a TPM PCR, in order). */
  afterPersist?(ns: NamespaceModel, outcomes: readonly { verdict?: Verdict }[]): Promise<void>;
}
