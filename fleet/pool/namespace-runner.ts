/**
 * One namespace this engine owns (docs/fleet.md §3–4): its state comes from the fleet snapshot,
 * its events from the stream after the snapshot's sequence, in stream order. Each message is
 * applied through the engine's pipeline (persisted before it resolves); the last applied stream
 * sequence goes into every snapshot, so a message delivered again (a consumer reset, a failover
 * replay) is never applied twice. Snapshots are written by compare-and-set (the fence), then the
 * stream's events of the namespace before the snapshot are purged (unless kept for audit).
 */
import {
  DeliverPolicy,
  type ConsumerMessages,
  type JsMsg,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { EventOrigin, IncomingEvent, Outcome } from '../../engine/ns/pipeline.js';
import { errorMessage } from '../../common/errors.js';
import type { Reconnects } from '../nats/reconnect.js';
import {
  EVENTS_STREAM,
  EXPORTER_HEADER,
  FIRST_SEQ_HEADER,
  namespaceEvents,
  parseEventSubject,
  SESSION_HEADER,
} from '../nats/names.js';

/** Exporter sessions remembered per namespace (each run of an exporter is one). */
const MAX_SESSIONS = 4096;
import type { NamespaceHost } from './engine-host.js';
import type { OutputPublisher } from './outputs.js';
import { FencedError, type SnapshotRecord, type SnapshotStore } from './snapshot-store.js';

export interface RunnerOptions {
  /** Snapshot at most this often while events arrive (and once idle). */
  readonly snapshotMs: number;
  /** Messages applied but not yet acknowledged by the pipeline, at most. */
  readonly window: number;
  /** Keep applied events in the stream (audit, replay) instead of purging them after a snapshot. */
  readonly keepApplied: boolean;
}

export interface RunnerDeps {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly reconnects: Reconnects;
  readonly snapshots: SnapshotStore;
  readonly host: NamespaceHost;
  readonly outputs: OutputPublisher;
  readonly engineId: string;
  readonly log: (msg: string) => void;
  /** The runner cannot go on (fenced, a failed apply): the pool gives the namespace up. */
  readonly failed: (ns: string, why: string) => void;
}

interface Applying {
  readonly seq: number;
  readonly origin: EventOrigin;
  readonly done: Promise<Outcome[]>;
}

/** A message's events: one kernel line each (exporters join them with newlines). */
export function splitEvents(data: Uint8Array): IncomingEvent[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: IncomingEvent[] = [];
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    if (i === buf.length || buf[i] === 0x0a) {
      if (i > start) out.push({ line: buf.subarray(start, i) });
      start = i + 1;
    }
  }
  return out;
}

export class NamespaceRunner {
  /** Stream sequence of the last message whose effects are persisted. */
  applied = 0;
  /** Stream sequence of the last message handed to the pipeline. */
  private submitted = 0;
  private snapshotted = 0;
  private revision = 0;
  private record?: SnapshotRecord;
  private lastSnapshotAt = 0;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private snapshotPending = false;
  private stopReconnect?: () => void;
  private snapshotting: Promise<void> = Promise.resolve();
  private readonly inflight: Applying[] = [];
  private settled: Promise<void> = Promise.resolve();
  /** Events applied by this runner (for the benchmark and the log). */
  events = 0;
  /** Events skipped as already applied (a message stored twice). */
  duplicates = 0;
  /** Per exporter session (host and session): the last event number applied. */
  private readonly sessions = new Map<string, number>();

  constructor(
    readonly ns: string,
    private readonly d: RunnerDeps,
    private readonly o: RunnerOptions
  ) {}

  /** Loads the snapshot, fences it with this engine's name, and starts consuming after it. */
  async start(): Promise<void> {
    const r = await this.d.snapshots.read(this.ns);
    await this.d.host.install(this.ns, r.state);
    const seq = r.record?.seq ?? 0;
    const w = await this.d.snapshots.write(
      this.ns,
      {
        seq,
        owner: this.d.engineId,
        atMs: Date.now(),
        state: r.state,
        sessions: r.record?.sessions,
      },
      r.revision,
      r.record
    );
    this.revision = w.revision;
    this.record = w.record;
    this.applied = this.submitted = this.snapshotted = seq;
    for (const [k, n] of r.record?.sessions ?? []) this.sessions.set(k, n);
    this.lastSnapshotAt = performance.now();
    this.stopReconnect = this.d.reconnects.on(() => void this.messages?.close());
    this.loop = this.run().catch((err: unknown) =>
      this.fail(`applying stopped: ${errorMessage(err)}`)
    );
    this.timer = setInterval(
      () => {
        if (
          this.submitted > this.snapshotted &&
          performance.now() - this.lastSnapshotAt >= this.o.snapshotMs
        )
          void this.snapshot().catch((err: unknown) => this.fail(errorMessage(err)));
      },
      Math.max(50, Math.floor(this.o.snapshotMs / 2))
    );
    this.d.log(
      `namespace ${this.ns}: taken over at stream sequence ${seq}${r.state ? '' : ' (new)'}`
    );
  }

  /** Consumes from after the last submitted message; again after each reconnection. */
  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const next = this.submitted + 1;
        const consumer = await this.d.js.consumers.get(EVENTS_STREAM, {
          filter_subjects: namespaceEvents(this.ns),
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: next,
        });
        this.messages = await consumer.consume({ max_messages: 256, expires: 2000 });
      } catch (err) {
        this.d.log(`namespace ${this.ns}: consumer: ${errorMessage(err)}; retrying`);
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      if (this.stopping) await this.messages.close();
      for await (const m of this.messages) {
        if (this.stopping) break;
        await this.take(m);
      }
    }
  }

  private async take(m: JsMsg): Promise<void> {
    if (m.seq <= this.submitted) return; // delivered again: applied already
    const where = parseEventSubject(m.subject);
    this.submitted = m.seq;
    if (!where) {
      this.d.log(
        `namespace ${this.ns}: skipping stream message ${m.seq} on '${m.subject}': not an event subject`
      );
      return;
    }
    const origin = { host: where.host, exporter: m.headers?.get(EXPORTER_HEADER) || 'nats' };
    const events = this.unseen(where.host, m, splitEvents(m.data));
    if (events.length === 0) return;
    const a: Applying = { seq: m.seq, origin, done: this.d.host.apply(this.ns, origin, events) };
    this.inflight.push(a);
    this.events += events.length;
    // Settled in stream order as each is persisted: the applied sequence, then its outputs.
    this.settled = this.settled.then(async () => {
      const outcomes = await a.done;
      this.inflight.shift();
      this.applied = a.seq;
      this.d.outputs.publish(this.ns, a.seq, a.origin, outcomes);
    });
    this.settled.catch((err: unknown) => this.fail(`applying failed: ${errorMessage(err)}`));
    // Bounded: wait for the oldest to be persisted, not for the whole window to drain.
    while (this.inflight.length >= this.o.window)
      await this.inflight[0]!.done.then(
        () => undefined,
        () => undefined
      );
    // Not awaited: the snapshot is taken in the namespace's order, after what was submitted.
    if (performance.now() - this.lastSnapshotAt >= this.o.snapshotMs && !this.snapshotPending) {
      this.snapshotPending = true;
      void this.snapshot()
        .catch((err: unknown) => this.fail(errorMessage(err)))
        .finally(() => (this.snapshotPending = false));
    }
  }

  /**
   * The message's events this namespace has not applied yet, by the exporter's numbering: a
   * message stored twice (sent again after the stream's duplicate window) is applied once.
   */
  private unseen(host: string, m: JsMsg, events: IncomingEvent[]): IncomingEvent[] {
    const session = m.headers?.get(SESSION_HEADER) ?? '';
    const first = Number(m.headers?.get(FIRST_SEQ_HEADER) ?? '');
    if (session === '' || !Number.isSafeInteger(first) || first < 1) return events;
    const key = `${host}\u0000${session}`;
    const last = this.sessions.get(key) ?? 0;
    const fresh = events.slice(Math.max(0, last - first + 1));
    this.duplicates += events.length - fresh.length;
    // Most recently used last: the oldest sessions go first when there are too many.
    this.sessions.delete(key);
    this.sessions.set(key, Math.max(last, first + events.length - 1));
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return fresh;
  }

  /** Writes the namespace as of every submitted message, then purges what it covers. */
  snapshot(): Promise<void> {
    const next = this.snapshotting.then(async () => {
      const seq = this.submitted;
      const sessions = [...this.sessions];
      if (seq === this.snapshotted) return;
      // Taken in the namespace's order: after every message submitted so far.
      const state = await this.d.host.snapshot(this.ns);
      let w;
      try {
        w = await this.d.snapshots.write(
          this.ns,
          { seq, owner: this.d.engineId, atMs: Date.now(), state, sessions },
          this.revision,
          this.record
        );
      } catch (err) {
        if (err instanceof FencedError) throw err;
        // The server is away (a restart): the stream still holds the events; try again later.
        this.d.log(`namespace ${this.ns}: snapshot not written: ${errorMessage(err)}`);
        this.lastSnapshotAt = performance.now();
        return;
      }
      this.revision = w.revision;
      this.record = w.record;
      this.snapshotted = seq;
      this.lastSnapshotAt = performance.now();
      if (!this.o.keepApplied)
        await this.d.jsm.streams
          .purge(EVENTS_STREAM, { filter: namespaceEvents(this.ns), seq: seq + 1 })
          .catch((err: unknown) =>
            this.d.log(`namespace ${this.ns}: purge failed: ${errorMessage(err)}`)
          );
    });
    this.snapshotting = next.catch(() => undefined);
    return next;
  }

  private fail(why: string): void {
    if (this.stopping) return;
    this.d.failed(this.ns, why);
  }

  /**
   * Stops consuming. `handOver`: finish what is in flight and snapshot, so the next owner starts
   * where this one ended; otherwise (fenced, failed) just let go: the next owner replays.
   */
  async stop(handOver: boolean): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.stopReconnect?.();
    await this.messages?.close().catch(() => undefined);
    await this.loop;
    try {
      await this.settled;
      if (handOver) await this.snapshot();
    } catch (err) {
      if (!(err instanceof FencedError))
        this.d.log(`namespace ${this.ns}: hand-over: ${errorMessage(err)}`);
    }
    await this.snapshotting;
    await this.d.host.evict(this.ns);
  }
}
