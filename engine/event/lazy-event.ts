/**
 * An event parsed when first read. The main thread's side of an event a worker thread decided
 * (engine/shard): the stages and the fan-out take it, and most never read it (the alert stage
 * looks at the verdict first, notices are made for subscribers only), so it is parsed again only
 * where something does.
 */
import type { Cell } from './hooks.js';
import type { EventHeader, TsemEvent } from './event.js';
import type { Coe } from './structures.js';

export class LazyEvent implements TsemEvent {
  private parsed: TsemEvent | undefined;

  constructor(private readonly parse: () => TsemEvent) {}

  private get event(): TsemEvent {
    return (this.parsed ??= this.parse());
  }
  get header(): EventHeader {
    return this.event.header;
  }
  get coe(): Coe {
    return this.event.coe;
  }
  get cell(): Cell {
    return this.event.cell;
  }
  get exportType(): 'event' | 'async_event' | undefined {
    return this.event.exportType;
  }
  get line(): string {
    return this.event.line;
  }
}
