/**
 * Fan-out to subscribers. Each subscriber has its own bounded queue: a slow one never slows ingest
 * or the others; its overflow is dropped and counted, and the count is delivered in-band.
 */
import type { NamespaceModel } from '../ns/namespace-model.js';
import type { EventOrigin, Outcome } from '../ns/pipeline.js';
import type { NoticeFilter } from './filters.js';
import { isAlert, type Notice } from './notice.js';
import { DEFAULT_SUBSCRIBER_QUEUE, MAX_SUBSCRIBER_QUEUE } from '../../proto/limits.js';

export type Delivery = { readonly notice: Notice } | { readonly dropped: number };

export class Subscriber {
  private queue: Notice[] = [];
  private head = 0;
  /** Drops since the last delivered Dropped message. */
  private dropped = 0;
  totalDropped = 0;
  private wake: (() => void) | undefined;
  closed = false;

  constructor(
    readonly filter: NoticeFilter,
    readonly maxQueue: number
  ) {}

  offer(n: Notice): void {
    if (!this.filter(n)) return;
    if (this.queue.length - this.head >= this.maxQueue) {
      this.dropped++;
      this.totalDropped++;
    } else {
      this.queue.push(n);
    }
    this.wake?.();
  }

  /** Next delivery, waiting when empty; undefined once closed. */
  async next(): Promise<Delivery | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      if (this.dropped > 0) {
        const d = this.dropped;
        this.dropped = 0;
        return { dropped: d };
      }
      if (this.head < this.queue.length) {
        const notice = this.queue[this.head++]!;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        return { notice };
      }
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }
}

export class Hub {
  private readonly subs = new Set<Subscriber>();

  /** Notices dropped for slow subscribers, those gone included. */
  private dropped = 0;

  get size(): number {
    return this.subs.size;
  }

  get droppedTotal(): number {
    let n = this.dropped;
    for (const s of this.subs) n += s.totalDropped;
    return n;
  }

  subscribe(filter: NoticeFilter, maxQueue = DEFAULT_SUBSCRIBER_QUEUE): Subscriber {
    const s = new Subscriber(filter, Math.min(Math.max(1, maxQueue), MAX_SUBSCRIBER_QUEUE));
    this.subs.add(s);
    return s;
  }

  unsubscribe(s: Subscriber): void {
    s.close();
    if (this.subs.delete(s)) this.dropped += s.totalDropped;
  }

  /** Called by the pipeline after each persisted batch; builds notices only when someone listens. */
  publish(ns: NamespaceModel, origin: EventOrigin, outcomes: readonly Outcome[]): void {
    if (this.subs.size === 0) return;
    const timeMs = Date.now();
    for (const o of outcomes) {
      if (o.verdict === undefined && !('error' in o)) continue;
      const ev = o.verdict ? o.event : undefined;
      const n: Notice = {
        namespace: ns.id,
        host: origin.host,
        exporter: origin.exporter,
        type: ev?.header.type ?? '',
        process: ev?.header.process ?? '',
        pid: ev?.header.pid?.toString() ?? '',
        verdict: o.verdict,
        error: 'error' in o ? o.error : undefined,
        deny: 'error' in o ? o.deny : undefined,
        eventJson: () => ev?.line ?? '',
        timeMs,
        alert:
          isAlert(o.verdict) ||
          ('error' in o && o.alert === true) ||
          (o.verdict !== undefined && o.records?.some((r) => r.alert) === true),
        records: o.verdict ? o.records : undefined,
      };
      for (const s of this.subs) s.offer(n);
    }
  }

  close(): void {
    for (const s of this.subs) s.close();
    this.subs.clear();
  }
}
