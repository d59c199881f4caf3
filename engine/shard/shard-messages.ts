/**
 * What the main thread and a shard worker say to each other (engine/shard). Lines travel packed
 * in one transferred buffer; everything else by structured clone (delta-wire.ts revives Buffers).
 */
import type { TsemEventJson } from '../../proto/kernel-json.js';
import type { StructuredInput } from '../event/parse-cache.js';
import type { ModelDelta } from '../ns/namespace-types.js';
import type { EncodedOutcomes } from './outcome-codec.js';
import type { EventOrigin, IngestPosition } from '../ns/pipeline-work.js';

/** A run's events: kernel lines packed (data, each line's end), or events one by one. */
export type PackedEvents =
  | { readonly kind: 'lines'; readonly data: Uint8Array; readonly ends: Uint32Array }
  | {
      readonly kind: 'mixed';
      readonly events: readonly (
        | { readonly obj: TsemEventJson }
        | { readonly line: Uint8Array }
        | { readonly structured: StructuredInput }
      )[];
    };

export interface RunRequest {
  readonly kind: 'run';
  readonly id: number;
  readonly ns: string;
  readonly origin: EventOrigin;
  /** The origin tasks are keyed by (pipeline-work.ts taskOrigin). */
  readonly taskKey: string;
  readonly now: number;
  readonly position?: IngestPosition;
  readonly events: PackedEvents;
}

export type ToShard =
  | RunRequest
  /** Take the namespace over: a new copy from the mirror's whole delta. */
  | { readonly kind: 'adopt'; readonly ns: string; readonly delta: ModelDelta }
  /** The mirror's own changes (control actions), to take in before the next run. */
  | { readonly kind: 'delta'; readonly ns: string; readonly delta: ModelDelta }
  | { readonly kind: 'drop'; readonly ns: string }
  /** What the worker holds: its V8 heap and namespaces. */
  | { readonly kind: 'stats'; readonly id: number };

/** A worker's memory, from its own isolate. */
export interface ShardStats {
  readonly namespaces: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
}

export type FromShard =
  | {
      readonly id: number;
      /** The first `outcomes.length` events were applied; a run stops after a mode change
       * (a namespace sealing itself), so that the main thread's stages see each event's mode. */
      readonly outcomes: EncodedOutcomes;
      readonly delta: ModelDelta;
    }
  | { readonly id: number; readonly stats: ShardStats }
  | { readonly id: number; readonly error: string };
