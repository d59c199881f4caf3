/**
 * Fan-out to subscribers. Each subscriber has its own bounded queue: a slow one never slows ingest
 * or the others; its overflow is dropped and counted, and the count is delivered in-band. Drops of
 * the sources (before events reach the engine) are counted here too and delivered in-band, by
 * cause, host and exporter. A bounded history of recent notices lets a subscriber that reconnects
 * resume where it was; what the history no longer holds is reported as a gap, never skipped silently.
 */
import type { NamespaceModel } from '../ns/namespace-model.js';
import type { EventOrigin, Outcome } from '../ns/pipeline.js';
import type { NoticeFilter } from './filters.js';
import { type Notice, noticeOf } from './notice.js';
import { DEFAULT_SUBSCRIBER_QUEUE, MAX_SUBSCRIBER_QUEUE } from '../../proto/limits.js';

/** Recent notices kept for subscribers that reconnect. */
export const DEFAULT_HISTORY = 4096;
/** Distinct (cause, host, exporter) source-drop counts a subscriber keeps pending at most. */
const MAX_PENDING_DROP_KEYS = 256;
export const SUBSCRIBER_QUEUE_CAUSE = 'subscriber-queue';

/** What a notice is made of, kept in the history until a subscriber asks (then built once). */
interface Held {
  readonly namespace: string;
  readonly origin: EventOrigin;
  readonly o: Outcome;
  readonly timeMs: number;
  notice: Notice | undefined;
}

function heldNotice(h: Held): Notice {
  return (h.notice ??= noticeOf(h.namespace, h.origin, h.o, h.timeMs));
}

export interface DropReport {
  readonly cause: string;
  readonly count: number;
  readonly host?: string;
  readonly exporter?: string;
}

export interface Gap {
  readonly namespace: string;
  readonly first: number;
  readonly last: number;
}

export type Delivery =
  { readonly notice: Notice } | { readonly dropped: DropReport } | { readonly gap: Gap };

export interface SubscribeOptions {
  readonly maxQueue?: number;
  /** Per namespace, the last event sequence number the subscriber saw before reconnecting. */
  readonly resume?: ReadonlyMap<string, number>;
  /** Whether the subscriber may learn of a namespace at all (gaps, resume). Default: every one. */
  readonly maySee?: (namespace: string) => boolean;
  /** Whether source drops (host-wide counts) reach this subscriber. Default true. */
  readonly sourceDrops?: boolean;
}

export class Subscriber {
  private queue: Notice[] = [];
  private head = 0;
  /** Replayed history and gaps, delivered before anything live. */
  private readonly preface: Delivery[] = [];
  /** Drops since the last delivered Dropped message. */
  private dropped = 0;
  private readonly pendingDrops = new Map<string, DropReport>();
  totalDropped = 0;
  private wake: (() => void) | undefined;
  closed = false;

  constructor(
    readonly filter: NoticeFilter,
    readonly maxQueue: number,
    readonly seesSourceDrops = true
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

  /** Adds a source's drops to what this subscriber will be told (merged per cause and origin). */
  offerDrops(d: DropReport): void {
    if (!this.seesSourceDrops) return;
    const key = `${d.cause}\0${d.host ?? ''}\0${d.exporter ?? ''}`;
    const had = this.pendingDrops.get(key);
    if (!had && this.pendingDrops.size >= MAX_PENDING_DROP_KEYS) return;
    this.pendingDrops.set(key, Object.assign({}, d, { count: (had?.count ?? 0) + d.count }));
    this.wake?.();
  }

  /** Queued before anything live: a resumed subscriber's replay and gaps. */
  prepend(deliveries: readonly Delivery[]): void {
    this.preface.push(...deliveries);
  }

  /** Next delivery, waiting when empty; undefined once closed. */
  async next(): Promise<Delivery | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const first = this.preface.shift();
      if (first) return first;
      if (this.dropped > 0) {
        const count = this.dropped;
        this.dropped = 0;
        return { dropped: { cause: SUBSCRIBER_QUEUE_CAUSE, count } };
      }
      for (const [key, d] of this.pendingDrops) {
        this.pendingDrops.delete(key);
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

/** Plain counters a metrics layer reads: drops per cause, host and exporter. */
export interface HubCounters {
  /** Notices dropped because a subscriber fell behind (all subscribers). */
  subscriberDropped: number;
  /** Source drops reported by exporters and in-process sources, by `cause\0host\0exporter`. */
  readonly sourceDropped: Map<string, DropReport>;
}

export class Hub {
  private readonly subs = new Set<Subscriber>();
  /** Ring of the most recent notices (all namespaces, unfiltered). */
  private readonly history: (Held | undefined)[];
  private next = 0;
  readonly counters: HubCounters = { subscriberDropped: 0, sourceDropped: new Map() };

  constructor(
    /** The current event count of a namespace (undefined when it does not exist). */
    private readonly eventCount: (namespace: string) => number | undefined = () => undefined,
    historySize = DEFAULT_HISTORY
  ) {
    this.history = new Array<Held | undefined>(Math.max(0, historySize));
  }

  get size(): number {
    return this.subs.size;
  }

  /** Notices dropped for slow subscribers, those gone included. */
  get droppedTotal(): number {
    let n = this.counters.subscriberDropped;
    for (const s of this.subs) n += s.totalDropped;
    return n;
  }

  subscribe(filter: NoticeFilter, opts: SubscribeOptions | number = {}): Subscriber {
    const o: SubscribeOptions = typeof opts === 'number' ? { maxQueue: opts } : opts;
    const s = new Subscriber(
      filter,
      Math.min(Math.max(1, o.maxQueue ?? DEFAULT_SUBSCRIBER_QUEUE), MAX_SUBSCRIBER_QUEUE),
      o.sourceDrops ?? true
    );
    if (o.resume && o.resume.size > 0) s.prepend(this.replay(s, o.resume, o.maySee));
    this.subs.add(s);
    return s;
  }

  unsubscribe(s: Subscriber): void {
    s.close();
    if (!this.subs.delete(s)) return;
    this.counters.subscriberDropped += s.totalDropped;
    s.totalDropped = 0;
  }

  /**
   * Called by the pipeline after each persisted batch. A notice is built only when a subscriber
   * takes it (live or on resume): the history keeps what it is made of (measured: building every
   * notice cost 7% of in-process ingest with nobody subscribed).
   */
  publish(ns: NamespaceModel, origin: EventOrigin, outcomes: readonly Outcome[]): void {
    const timeMs = Date.now();
    const live = this.subs.size > 0;
    const keep = this.history.length > 0;
    for (const o of outcomes) {
      if (o.verdict === undefined && !('error' in o)) continue;
      if (!live && !(keep && o.verdict)) continue;
      const h: Held = { namespace: ns.id, origin, o, timeMs, notice: undefined };
      if (keep && o.verdict) {
        this.history[this.next] = h;
        this.next = (this.next + 1) % this.history.length;
      }
      if (live) {
        const n = heldNotice(h);
        for (const s of this.subs) s.offer(n);
      }
    }
  }

  /** A source's drops since its last report (`counts` by cause): counted, and told in-band. */
  reportSourceDrops(origin: EventOrigin, counts: Readonly<Record<string, number>>): void {
    for (const [cause, count] of Object.entries(counts)) {
      if (!(count > 0)) continue;
      const d: DropReport = { cause, count, host: origin.host, exporter: origin.exporter };
      const key = `${cause}\0${origin.host}\0${origin.exporter}`;
      const total = this.counters.sourceDropped.get(key);
      this.counters.sourceDropped.set(
        key,
        Object.assign({}, d, { count: (total?.count ?? 0) + count })
      );
      for (const s of this.subs) s.offerDrops(d);
    }
  }

  /** Notices dropped for subscribers so far, live ones included. */
  subscriberDropped(): number {
    let n = this.counters.subscriberDropped;
    for (const s of this.subs) n += s.totalDropped;
    return n;
  }

  close(): void {
    for (const s of this.subs) s.close();
    this.subs.clear();
  }

  /** What a resuming subscriber missed: held notices after each resume point, and the gaps. */
  private replay(
    s: Subscriber,
    resume: ReadonlyMap<string, number>,
    maySee: (ns: string) => boolean = () => true
  ): Delivery[] {
    const held = new Map<string, Notice[]>();
    for (let i = 0; i < this.history.length; i++) {
      const h = this.history[(this.next + i) % this.history.length];
      if (!h?.o.verdict || !resume.has(h.namespace)) continue;
      const n = heldNotice(h);
      const list = held.get(n.namespace) ?? held.set(n.namespace, []).get(n.namespace)!;
      list.push(n);
    }
    const out: Delivery[] = [];
    for (const [namespace, after] of resume) {
      if (!maySee(namespace)) continue;
      const now = this.eventCount(namespace);
      const later = (held.get(namespace) ?? []).filter((n) => n.verdict!.seq > after);
      const firstHeld = later[0]?.verdict!.seq ?? (now ?? after) + 1;
      if (firstHeld > after + 1)
        out.push({ gap: { namespace, first: after + 1, last: firstHeld - 1 } });
      for (const n of later) if (s.filter(n)) out.push({ notice: n });
    }
    return out;
  }
}
