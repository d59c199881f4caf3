/** The domain form of a TSEM event: typed header, COE and CELL (tsem-model.md §1.2–1.4). */
import type { Cell } from './hooks.js';
import type { Coe } from './structures.js';

export interface EventHeader {
  readonly pid?: number;
  readonly ppid?: number;
  readonly tnum?: bigint;
  /** Namespace id as the kernel numbers it (0 = root); absent for non-kernel sources. */
  readonly context?: bigint;
  readonly number?: bigint;
  /** `current->comm`. */
  readonly process: string;
  readonly type: string;
  readonly ttd?: bigint;
  readonly pTtd?: bigint;
  /** TASK_ID and parent TASK_ID; absent when the source leaves them to the engine's task table. */
  readonly taskId?: Buffer;
  readonly pTaskId?: Buffer;
  readonly ts?: bigint;
  /** Non-kernel sources: the process's start time (clock ticks since boot); tells pid reuse apart. */
  readonly start?: bigint;
  /** A Landlock denial (docs/landlock.md §5): the access rights the kernel denied; the event did
   * not happen. */
  readonly landlock?: string;
}

export interface TsemEvent {
  readonly header: EventHeader;
  readonly coe: Coe;
  readonly cell: Cell;
  /** `event` or `async_event` when it came in an export record. */
  readonly exportType?: 'event' | 'async_event';
  /** The event as a kernel trajectory line (no export wrapper), kept for trajectory/forensics. */
  readonly line: string;
}

/** One parsed input line: an event, an aggregate export, or a log export (§3.4). */
export type TsemRecord =
  | { readonly kind: 'event'; readonly event: TsemEvent }
  | { readonly kind: 'aggregate'; readonly value: Buffer }
  | {
      readonly kind: 'log';
      readonly process: string;
      readonly event: string;
      readonly action: string;
    };
