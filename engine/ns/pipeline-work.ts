/**
 * What goes through the pipeline: incoming events and where they come from, the result for each
 * (Outcome), an exporter batch's numbering, the work items a namespace's sub-pipeline runs, and
 * the observer's hooks.
 */
import type { TsemEvent } from '../event/event.js';
import type { TsemEventJson } from '../../proto/kernel-json.js';
import type { StructuredInput } from '../event/parse-cache.js';
import type { NamespaceModel, Verdict } from './namespace-model.js';
import type { StageRecord } from './stage.js';

/** One event as it arrives: a source's JSON object, a raw kernel line, or a structured wire event. */
export type IncomingEvent =
  | { readonly obj: TsemEventJson }
  | { readonly line: Buffer }
  | { readonly structured: StructuredInput };

export interface EventOrigin {
  readonly host: string;
  readonly exporter: string;
  /** The authenticated identity that sent the events (absent for in-process sources). */
  readonly identity?: string;
}

/** The origin tasks are keyed by: identity and host, so no host (or tenant) taints another's pids. */
export function taskOrigin(o: EventOrigin): string {
  return o.identity === undefined ? o.host : `${o.identity}@${o.host}`;
}

/** The result for one incoming event: a verdict, or why it was rejected. */
export type Outcome =
  | {
      readonly verdict: Verdict;
      readonly event: TsemEvent;
      readonly records?: readonly StageRecord[];
    }
  | { readonly verdict?: undefined; readonly note: 'aggregate' | 'log'; readonly seq: number }
  | {
      readonly verdict?: undefined;
      readonly error: string;
      /** A line that could not be parsed, in a sealed namespace: its event number (evidence). */
      readonly seq?: number;
      /** Never allowed silently: an alert where the namespace is sealed (or audited)… */
      readonly alert?: boolean;
      /** …and denied where it enforces (fail closed). */
      readonly deny?: boolean;
    }
  /** Applied before under the same exporter sequence number: acknowledged, not modeled again. */
  | { readonly verdict?: undefined; readonly duplicate: true };

/** Where a batch's events stand in their exporter's numbering (exactly-once ingest). */
export interface IngestPosition {
  /** The exporter's stable id and the session its numbers belong to. */
  readonly exporter: string;
  readonly session: string;
  /** Each event's sequence number, index for index. */
  readonly seqs: readonly number[];
}

/** Receives every processed batch after it is persisted (the fan-out to subscribers). */
export type Publish = (
  ns: NamespaceModel,
  origin: EventOrigin,
  outcomes: readonly Outcome[]
) => void;

export type Work =
  | {
      kind: 'events';
      ns: string;
      origin: EventOrigin;
      at: number;
      events: readonly IncomingEvent[];
      position?: IngestPosition;
      /** Called with the verdicts once they exist, before persistence (decide from memory). */
      decided?: (o: readonly Outcome[]) => void;
      done: (o: Outcome[]) => void;
      fail: (e: unknown) => void;
    }
  | {
      kind: 'control';
      ns: string;
      run: (ns: NamespaceModel) => unknown;
      /** A read changes nothing: a run of reads only writes no batch. */
      readOnly?: boolean;
      done: (v: unknown) => void;
      fail: (e: unknown) => void;
    };

/** Timings and depth for metrics; every hook optional. */
export interface PipelineObserver {
  /** Seconds one atomic persist took. */
  persisted?(seconds: number): void;
  /** Seconds from a batch's submission to its verdicts being ready to acknowledge. */
  decided?(seconds: number): void;
  /** Work items submitted and not yet settled changed by `delta`. */
  pending?(delta: number): void;
  /**
   * An allow the namespace gave before may not hold any more (its decisionEpoch moved, or it was
   * replaced): called before any verdict of the work that changed it is settled, so verdict caches
   * outside the engine (the fanotify reader's) are emptied before a process can act again.
   */
  decisionsChanged?(ns: string): void;
}
