/**
 * Streams events into the engine's Ingest service (tsem.proto `Ingest.Stream`): an ExporterHello,
 * then EventBatches of up to `batchSize` events, flushed when full or `flushMs` after their first
 * event; a batch holding a held event (one with `respond`: its process waits for the verdict) goes
 * at once instead, with whatever else was read in the same turn of the event loop. At most `window` batches wait for their BatchResult, so memory stays bounded by
 * (window + 1) × batchSize events whatever the server's speed. Results come back in batch order;
 * each verdict goes to its event's `respond` callback, once: a batch holding such events asks for
 * early verdicts, so they are answered as soon as the engine decides (BatchVerdicts), before the
 * acknowledgement (BatchResult, once persisted); an engine that does not send them (`--durability
 * strict`, or older) answers with the acknowledgement. Only acknowledgements free the window.
 *
 * Across engine restarts: when the stream is lost (the engine stopped, the network failed), the
 * exporter opens a new one with growing pauses, for up to `retryForMs` without an acknowledgement,
 * and sends the unacknowledged batches again; meanwhile it reads no more input (a live source then
 * drops, and counts). Batches are numbered (`identity`: exporter id, session, sequence numbers), so
 * the engine applies a batch it had already persisted only once.
 */
import { hostname } from 'node:os';
import { errorMessage } from '../common/errors.js';
import type { TsemEventJson } from '../proto/kernel-json.js';
import type { Event as WireEvent } from '../proto/gen/tsem/v1/Event.js';
import type { ExporterHello } from '../proto/gen/tsem/v1/ExporterHello.js';
import type { IngestRequest } from '../proto/gen/tsem/v1/IngestRequest.js';
import type { IngestResponse__Output } from '../proto/gen/tsem/v1/IngestResponse.js';
import type { Verdict__Output as WireVerdict } from '../proto/gen/tsem/v1/Verdict.js';
import { countVerdict, createExportStats, type ExportStats } from './export-stats.js';
import type { ExporterIdentity } from './exporter-state.js';
import type { DropCounts } from './source.js';
import { eventToWire } from './wire-event.js';
import { MAX_BATCH_EVENTS } from '../proto/limits.js';

export type { WireVerdict };
export { formatExportSummary, type ExportStats } from './export-stats.js';

export const DEFAULT_BATCH_SIZE = 512;
export const DEFAULT_FLUSH_MS = 20;
export const DEFAULT_WINDOW_BATCHES = 8;
/** Pauses between reconnection attempts: doubling from the first to the last. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;
/** Source drops are sent this often at the latest, with no events if need be. */
const DROPS_EVERY_MS = 1000;
/** gRPC status codes after which a new stream may work: the engine or the network went away. */
const TRANSIENT = new Set([1, 2, 4, 8, 10, 13, 14]);

export interface ExportItem {
  readonly namespace: string;
  /** A kernel-form event object, or one raw kernel line sent byte for byte as kernel_json. */
  readonly event: TsemEventJson | Buffer;
  /** The process's cgroup v2 id, when the source knows it: canisters are routed by it. */
  readonly cgroupId?: string;
  /** Receives this event's verdict once: as soon as the engine decided it, else with its batch's
   * acknowledgement. A decision is final even when the write after it fails. `remember`: with
   * `verdictCache`, the source may remember this allow (cacheable, and decided under the newest
   * change the exporter has heard of). */
  readonly respond?: (v: WireVerdict, remember: boolean) => void;
  /** An event the source answered from its verdict cache already: told the engine's verdict
   * (with its own cacheable bit) as respond is. */
  readonly onVerdict?: (v: WireVerdict) => void;
}

export interface ExporterOptions {
  /** ExporterHello.exporter, e.g. "sim", "file", "fanotify". */
  readonly exporter: string;
  /** ExporterHello.host; default os.hostname(). */
  readonly host?: string;
  readonly batchSize?: number;
  /** How long a batch of events nobody waits for may wait for more; held events never wait. */
  readonly flushMs?: number;
  /** Batches in flight (sent, not yet acknowledged). */
  readonly window?: number;
  /** Events per second; unpaced when absent. */
  readonly rate?: number;
  /** Aborting ends the input early: what was read is still flushed and acknowledged. */
  readonly signal?: AbortSignal;
  /** Numbers the batches for exactly-once ingest (absent: unnumbered, never de-duplicated). */
  readonly identity?: ExporterIdentity;
  /** How long to keep reconnecting without an acknowledgement (default 0: the first failure ends). */
  readonly retryForMs?: number;
  /** Told each reconnection attempt and success, one line each (for stderr). */
  readonly onRetry?: (message: string) => void;
  /** The source's drops since it started, by cause: their growth is sent to the engine. */
  readonly drops?: () => DropCounts;
  /** Events acknowledged so far (in input order), after each acknowledgement. */
  readonly onAcked?: (acked: number) => void;
  /**
   * The source keeps a verdict cache, and this empties it: the hello asks the engine for
   * cacheable verdicts and DecisionsChanged, each of which calls it, as does every new stream
   * (changes made while no stream was open are not heard of).
   */
  readonly verdictCache?: () => void;
}

/** The part of grpc-js's ClientDuplexStream the exporter uses (tests pass a fake). */
export interface IngestCall {
  write(msg: IngestRequest): boolean;
  end(): void;
  cancel(): void;
  on(event: 'data', listener: (m: IngestResponse__Output) => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/**
 * The stream failed (TSEM_UNAVAILABLE), the server broke the protocol (TSEM_UNAVAILABLE), or an
 * input event could not be sent (TSEM_PARSE); `stats` counts what was done before.
 */
export class ExportError extends Error {
  override readonly name = 'ExportError';
  constructor(
    message: string,
    readonly stats: ExportStats,
    options?: { cause?: unknown },
    readonly code: 'TSEM_UNAVAILABLE' | 'TSEM_PARSE' = 'TSEM_UNAVAILABLE'
  ) {
    super(message, options);
  }
}

type Responder = (v: WireVerdict, remember: boolean) => void;

interface InFlight {
  readonly id: string;
  /** Input position of the batch's first event (for error messages). */
  readonly first: number;
  readonly responders: readonly (Responder | undefined)[];
  /** Responders already given their verdict (an early one): the acknowledgement skips them. */
  readonly answered: boolean[];
  /** What was sent, to send again on a new stream. */
  readonly request: IngestRequest;
}

function checkCount(v: number, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`${what}: expected an integer in [${min}, ${max}], got ${v}`);
  return v;
}

/**
 * Sends every item of `input` on `call` and resolves with the stats once the input has ended and
 * every batch is acknowledged; rejects with an ExportError when the stream fails.
 */
export function streamToIngest(
  call: IngestCall,
  input: AsyncIterable<ExportItem>,
  opts: ExporterOptions
): Promise<ExportStats> {
  let used = false;
  const once = () => {
    if (used) throw new Error('streamToIngest: one call only; use exportToIngest to reconnect');
    used = true;
    return call;
  };
  return new IngestExporter(once, Object.assign({}, opts, { retryForMs: 0 })).run(input);
}

/**
 * As streamToIngest, on streams from `open()`: a lost stream is replaced (for up to
 * `opts.retryForMs`) and what it had not acknowledged is sent again.
 */
export function exportToIngest(
  open: () => IngestCall,
  input: AsyncIterable<ExportItem>,
  opts: ExporterOptions
): Promise<ExportStats> {
  return new IngestExporter(open, opts).run(input);
}

class IngestExporter {
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly window: number;
  private readonly stats = createExportStats();
  // Invariant: `events` and `responders` are the open batch, index for index.
  private events: WireEvent[] = [];
  private responders: (Responder | undefined)[] = [];
  /** The newest DecisionsChanged epoch heard on the current stream (verdict cache). */
  private heardEpoch = 0;
  private readonly inFlight: InFlight[] = [];
  private nextBatchId = 1;
  private position = 0;
  private call!: IngestCall;
  /** Streams opened so far: answers from an older one are ignored. */
  private generation = 0;
  /** While reconnecting: sent batches wait for the new stream. */
  private connected = false;
  private retry: { since: number; pause: number; timer?: NodeJS.Timeout } | undefined;
  /** Drop counts already sent, and the timer that sends new ones. */
  private dropsSent: Record<string, number> = {};
  private dropsTimer: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The open batch holds a held event: it goes at `heldTimer` (the check phase of this turn). */
  private heldOpen = false;
  private heldTimer: NodeJS.Immediate | undefined;
  /** The flush timer fired while the window was full: send as soon as a result frees a slot. */
  private flushWanted = false;
  private inputDone = false;
  private failure: ExportError | undefined;
  /** Pending guarded awaits → whether an abort ends them (input reads) or only a failure does. */
  private readonly cancels = new Map<(e?: ExportError) => void, boolean>();
  /** Woken on every acknowledgement and on failure. */
  private waiters: (() => void)[] = [];

  constructor(
    private readonly open: () => IngestCall,
    private readonly opts: ExporterOptions
  ) {
    this.batchSize = checkCount(
      opts.batchSize ?? DEFAULT_BATCH_SIZE,
      'batchSize',
      1,
      MAX_BATCH_EVENTS
    );
    this.flushMs = checkCount(opts.flushMs ?? DEFAULT_FLUSH_MS, 'flushMs', 0);
    this.window = checkCount(opts.window ?? DEFAULT_WINDOW_BATCHES, 'window', 1);
    if (opts.rate !== undefined && !(opts.rate > 0))
      throw new RangeError(`rate: expected events per second > 0, got ${opts.rate}`);
  }

  /** Opens a stream, says hello, and sends again every batch not acknowledged yet. */
  private connect(): void {
    const generation = ++this.generation;
    const call = this.open();
    this.call = call;
    const current = () => generation === this.generation;
    call.on('data', (m) => current() && this.onResponse(m));
    call.on(
      'error',
      (e) => current() && this.lost(`the Ingest stream failed: ${streamDetails(e)}`, e)
    );
    call.on('end', () => current() && this.onEnd());
    const id = this.opts.identity;
    // A new stream: whatever changed while none was open was not heard of.
    this.heardEpoch = 0;
    this.opts.verdictCache?.();
    const hello: ExporterHello = {
      exporter: this.opts.exporter,
      host: this.opts.host ?? hostname(),
    };
    if (id) Object.assign(hello, { exporter_id: id.exporterId, session: id.session });
    if (this.opts.verdictCache) hello.verdict_cache = true;
    call.write({ hello });
    this.connected = true;
    for (const b of this.inFlight) call.write(b.request);
    if (this.inputDone && this.events.length === 0) call.end();
  }

  /**
   * The stream is gone: reconnect after a pause while the retry window lasts and the failure is
   * one a new stream can cure, else fail.
   */
  private lost(message: string, cause?: unknown): void {
    if (this.failure) return;
    const code = (cause as { code?: unknown } | undefined)?.code;
    const transient = cause === undefined || (typeof code === 'number' && TRANSIENT.has(code));
    const now = Date.now();
    this.retry ??= { since: now, pause: RETRY_FIRST_MS };
    const retryFor = this.opts.retryForMs ?? 0;
    if (!transient || now - this.retry.since + this.retry.pause > retryFor) {
      this.fail(message, cause);
      return;
    }
    this.connected = false;
    this.generation++; // the old stream's late answers are ignored
    this.call.cancel();
    // No change is heard of while no stream is open: nothing remembered is kept meanwhile.
    this.opts.verdictCache?.();
    const waiting = this.inFlight.reduce((n, b) => n + b.responders.length, 0);
    this.opts.onRetry?.(
      `${message}; reconnecting in ${(this.retry.pause / 1000).toFixed(1)} s (${waiting} event(s) to send again)`
    );
    this.retry.timer = setTimeout(() => {
      if (this.failure || this.aborted()) return;
      // A channel closed meanwhile (the export is stopping) throws here: a failure, not a crash.
      try {
        this.connect();
      } catch (err) {
        this.fail(`reconnecting: ${errorMessage(err)}`, err);
        return;
      }
      this.wake();
    }, this.retry.pause);
    this.retry.pause = Math.min(this.retry.pause * 2, RETRY_MAX_MS);
  }

  async run(input: AsyncIterable<ExportItem>): Promise<ExportStats> {
    const it = input[Symbol.asyncIterator]();
    let iterating = true;
    const onAbort = (): void => {
      for (const [cancel, abortable] of [...this.cancels]) if (abortable) cancel();
    };
    this.opts.signal?.addEventListener('abort', onAbort);
    try {
      this.connect();
      if (this.opts.drops) {
        this.dropsTimer = setInterval(() => this.sendDrops(), DROPS_EVERY_MS);
        this.dropsTimer.unref();
      }
      const t0 = performance.now();
      while (!this.aborted()) {
        const r = await this.guard(it.next(), true);
        if (r === undefined) break; // aborted while waiting for the input
        if (r.done) {
          iterating = false;
          break;
        }
        if (this.opts.rate !== undefined) await this.pace(t0, this.opts.rate);
        this.add(r.value);
        if (this.events.length >= this.batchSize) await this.flush();
      }
      await this.flush();
      this.sendDrops();
      await this.flush();
      this.inputDone = true;
      if (this.connected) this.call.end();
      while (this.inFlight.length > 0) {
        await this.changed();
        if (this.failure) throw this.failure;
      }
      return this.stats;
    } catch (err) {
      const failure =
        this.failure ?? this.fail(err instanceof Error ? err.message : String(err), err);
      this.call.cancel();
      throw failure;
    } finally {
      this.opts.signal?.removeEventListener('abort', onAbort);
      clearTimeout(this.timer);
      clearImmediate(this.heldTimer);
      clearTimeout(this.retry?.timer);
      clearInterval(this.dropsTimer);
      // A source blocked in next() is not awaited: return() settles when it wakes.
      if (iterating) void Promise.resolve(it.return?.()).catch(() => undefined);
    }
  }

  private aborted(): boolean {
    return this.opts.signal?.aborted === true;
  }

  /**
   * Awaits `p` unless the stream fails first (rejects) or, when `abortable`, the signal aborts
   * (resolves undefined). No reaction is left on a long-lived promise, so nothing piles up per event.
   */
  private guard<T>(p: Promise<T>, abortable = false): Promise<T | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T | undefined>((resolve, reject) => {
      const cancel = (e?: ExportError): void => {
        this.cancels.delete(cancel);
        if (e) reject(e);
        else resolve(undefined);
      };
      this.cancels.set(cancel, abortable);
      p.then(
        (v) => {
          this.cancels.delete(cancel);
          resolve(v);
        },
        (err: unknown) => {
          this.cancels.delete(cancel);
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      );
    });
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Sleeps until event number `position` is due at `rate` events per second. */
  private async pace(t0: number, rate: number): Promise<void> {
    const due = t0 + (this.position / rate) * 1000;
    // A timer counts from the event loop's cached clock, which lags under load, so it can fire
    // early: sleep again until the real clock is there.
    for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
      const slept = await this.guard(
        new Promise<true>((resolve) => setTimeout(() => resolve(true), Math.ceil(wait)))
      );
      if (slept === undefined) return; // aborted
    }
  }

  private add(item: ExportItem): void {
    try {
      this.events.push(eventToWire(item.namespace, item.event, undefined, item.cgroupId));
    } catch (err) {
      throw new ExportError(
        `input event ${this.position}: ${(err as Error).message}`,
        this.stats,
        { cause: err },
        'TSEM_PARSE'
      );
    }
    const told = item.onVerdict;
    this.responders.push(item.respond ?? (told && ((v: WireVerdict) => told(v))));
    this.position++;
    if (this.events.length === 1 && this.timer === undefined) {
      this.timer = setTimeout(() => this.onTimer(), this.flushMs);
    }
    // A held process waits for this batch: send it once the input read so far is in (what a
    // source had queued arrives in this turn's microtasks), not flushMs later. setImmediate, not a
    // microtask: a microtask would send each held event of a burst in a batch of its own.
    if (item.respond !== undefined) {
      this.heldOpen = true;
      this.heldTimer ??= setImmediate(() => this.onHeld());
    }
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.failure || this.events.length === 0) return;
    if (this.inFlight.length < this.window) this.send();
    else this.flushWanted = true;
  }

  /** Sends the open batch now if it holds a held event (else it was sent already). */
  private onHeld(): void {
    this.heldTimer = undefined;
    if (this.failure || !this.heldOpen) return;
    clearTimeout(this.timer);
    this.onTimer();
  }

  /** Sends the open batch, waiting for a window slot. */
  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.events.length > 0) {
      if (this.failure) throw this.failure;
      if (this.inFlight.length < this.window) this.send();
      else await this.changed();
    }
  }

  private send(): void {
    const drops = this.takeDrops();
    const events = this.events;
    const id = String(this.nextBatchId++);
    const first = this.position - events.length;
    const seq = this.opts.identity && events.length > 0 ? this.opts.identity.firstSeq + first : 0;
    // Held events want their verdicts at once (decided), not after the write.
    const early = this.responders.some((r) => r !== undefined);
    const request: IngestRequest = {
      batch: { batch_id: id, events, first_seq: String(seq), drops, early_verdicts: early },
    };
    // Sent again on a new stream without the drops: the engine may have counted them already.
    const again: IngestRequest = { batch: Object.assign({}, request.batch, { drops: [] }) };
    const answered = new Array<boolean>(events.length).fill(false);
    this.inFlight.push({ id, first, responders: this.responders, answered, request: again });
    this.events = [];
    this.responders = [];
    this.heldOpen = false;
    this.flushWanted = false;
    this.stats.sent += events.length;
    this.stats.batches++;
    if (this.connected) this.call.write(request);
  }

  /** The source's drops since those already sent, marked sent. */
  private takeDrops(): { cause: string; count: string }[] {
    const now = this.opts.drops?.() ?? {};
    const delta = Object.entries(now)
      .map(([cause, n]) => ({ cause, count: n - (this.dropsSent[cause] ?? 0) }))
      .filter((d) => d.count > 0);
    if (delta.length > 0) this.dropsSent = { ...now };
    return delta.map((d) => ({ cause: d.cause, count: String(d.count) }));
  }

  /** New drops go with the next batch; when none is due, in a batch of their own. */
  private sendDrops(): void {
    if (this.failure || this.events.length > 0 || this.inFlight.length >= this.window) return;
    const now = this.opts.drops?.() ?? {};
    if (Object.entries(now).some(([cause, n]) => n > (this.dropsSent[cause] ?? 0))) this.send();
  }

  private onResponse(m: IngestResponse__Output): void {
    if (this.failure) return;
    if (m.decisions_changed) return this.onDecisionsChanged(m.decisions_changed.epoch);
    if (m.verdicts) return this.onVerdicts(m.verdicts);
    const result = m.result;
    const head = this.inFlight[0];
    if (!result) return void this.fail('the server sent an IngestResponse without a BatchResult');
    if (!head)
      return void this.fail(
        `the server sent a BatchResult for batch ${result.batch_id} with no batch in flight`
      );
    if (result.batch_id !== head.id) {
      return void this.fail(
        `expected the BatchResult of batch ${head.id} (results come in order), got batch ${result.batch_id}`
      );
    }
    if (result.verdicts.length !== head.responders.length) {
      return void this.fail(
        `BatchResult of batch ${head.id}: expected ${head.responders.length} verdicts, got ${result.verdicts.length}`
      );
    }
    this.inFlight.shift();
    this.retry = undefined;
    this.stats.acked += result.verdicts.length;
    const fresh = this.fresh(result.decided_epoch);
    for (const [i, v] of result.verdicts.entries()) {
      countVerdict(this.stats, v, head.first + i);
      if (!this.answer(head, i, v, fresh)) return;
    }
    this.opts.onAcked?.(this.stats.acked);
    if (this.flushWanted && this.events.length > 0 && this.inFlight.length < this.window)
      this.send();
    this.wake();
  }

  /**
   * A batch's decided verdicts, ahead of its acknowledgement: its held events are answered now.
   * Nothing is counted or freed here; the BatchResult still acknowledges (or not, should the
   * engine's write fail: its verdicts are then ERROR, and the answer given stands).
   */
  private onVerdicts(m: NonNullable<IngestResponse__Output['verdicts']>): void {
    const batch = this.inFlight.find((b) => b.id === m.batch_id);
    if (!batch)
      return void this.fail(
        `the server sent BatchVerdicts for batch ${m.batch_id}, which is not in flight`
      );
    if (m.verdicts.length !== batch.responders.length) {
      return void this.fail(
        `BatchVerdicts of batch ${batch.id}: expected ${batch.responders.length} verdicts, got ${m.verdicts.length}`
      );
    }
    const fresh = this.fresh(m.decided_epoch);
    for (const [i, v] of m.verdicts.entries()) if (!this.answer(batch, i, v, fresh)) return;
  }

  /** The engine's decisions changed: every remembered allow goes. */
  private onDecisionsChanged(epoch: string): void {
    if (!this.opts.verdictCache)
      return void this.fail(
        'the server sent DecisionsChanged, which this exporter did not ask for'
      );
    this.heardEpoch = Math.max(this.heardEpoch, Number(epoch));
    this.opts.verdictCache();
  }

  /** Decisions made under the newest change heard of: their cacheable allows may be remembered. */
  private fresh(decidedEpoch: string): boolean {
    return this.opts.verdictCache !== undefined && Number(decidedEpoch) >= this.heardEpoch;
  }

  /** Gives event `i` of `batch` its verdict unless it has one; false when the callback threw. */
  private answer(batch: InFlight, i: number, v: WireVerdict, fresh: boolean): boolean {
    const respond = batch.responders[i];
    if (!respond || batch.answered[i]) return true;
    batch.answered[i] = true;
    try {
      respond(v, fresh && v.cacheable);
      return true;
    } catch (err) {
      this.fail(
        `respond callback of input event ${batch.first + i} threw: ${(err as Error).message}`,
        err
      );
      return false;
    }
  }

  private onEnd(): void {
    if (this.failure) return;
    if (!this.inputDone || this.inFlight.length > 0) {
      const unacked = this.inFlight.reduce((n, b) => n + b.responders.length, 0);
      this.lost(`the server closed the Ingest stream early (${unacked} event(s) unacknowledged)`);
    }
  }

  /** Records the stream's failure (the first one wins) and wakes every waiter; returns it. */
  private fail(message: string, cause?: unknown): ExportError {
    if (this.failure) return this.failure;
    const failure =
      cause instanceof ExportError ? cause : new ExportError(message, this.stats, { cause });
    this.failure = failure;
    for (const cancel of [...this.cancels.keys()]) cancel(failure);
    this.wake();
    return failure;
  }
}

/** A grpc status error's details (its message repeats the numeric code). */
function streamDetails(e: Error): string {
  const details = (e as { details?: unknown }).details;
  return typeof details === 'string' && details !== '' ? details : e.message;
}
