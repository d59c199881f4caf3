/**
 * A single-consumer async queue: sources push events from callbacks, the consumer iterates.
 * Bounded for events that can be dropped (notifications); events with a `respond` are never
 * dropped, since the kernel holds their process until answered (the kernel bounds them).
 */
import type { SourcedEvent } from './source.js';

export const DEFAULT_MAX_QUEUED = 65_536;

export class EventQueue implements AsyncIterable<SourcedEvent> {
  private readonly items: SourcedEvent[] = [];
  private waiter: ((r: IteratorResult<SourcedEvent>) => void) | undefined;
  private ended = false;
  private roomWaiters: (() => void)[] = [];
  /** Notification events dropped because the consumer fell `maxQueued` behind. */
  dropped = 0;
  /** Events still queued when close() ended the queue. */
  discarded = 0;

  constructor(private readonly maxQueued: number = DEFAULT_MAX_QUEUED) {}

  push(ev: SourcedEvent): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: ev, done: false });
      return;
    }
    if (ev.respond === undefined && this.items.length >= this.maxQueued) {
      this.dropped++;
      return;
    }
    this.items.push(ev);
  }

  /** Push with backpressure (offline sources): waits while the queue is full instead of dropping. */
  async pushWhenRoom(ev: SourcedEvent): Promise<void> {
    while (!this.ended && this.items.length >= this.maxQueued) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    this.push(ev);
  }

  private wakeRoom(): void {
    const ws = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of ws) w();
  }

  /**
   * Ends the iteration now: what is still queued is discarded and counted in `discarded` (a live
   * source loses what it holds when it stops; its held events are answered by the caller).
   */
  close(): void {
    this.discarded += this.items.length;
    this.items.length = 0;
    this.end();
  }

  end(): void {
    this.wakeRoom();
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.asyncIterator](): AsyncIterator<SourcedEvent, undefined> {
    return {
      next: () => {
        const ev = this.items.shift();
        if (this.roomWaiters.length > 0) this.wakeRoom();
        if (ev) return Promise.resolve({ value: ev, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiter = resolve;
        });
      },
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
