/**
 * Delivers the persisted alert log to one output, at least once: it reads records after the
 * output's cursor from the store (a restart resumes there), sends them in order, retries failures
 * with exponential backoff and jitter (honouring a receiver's Retry-After), and moves the cursor
 * once a record is delivered. Its queue is the log itself, bounded: an output more than
 * `maxQueue` records behind skips the oldest and counts them as dropped. It runs beside the
 * pipeline and never slows it.
 */
import { sleep } from '../../common/abortable-sleep.js';
import { errorMessage } from '../../common/errors.js';
import type { Log } from '../../common/log.js';
import type { AlertRecord } from '../incident/incident.js';
import type { AlertStore } from '../store/alert-store.js';

/** Why a send failed: retry later, give up on this record, or give up on the output (HTTP 410). */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly kind: 'retry' | 'reject' | 'disable',
    readonly retryAfterMs?: number
  ) {
    super(message);
  }
}

/** One output's transport. */
export interface AlertSink {
  /** Sends one record; resolves once the receiver has it (as far as the transport can tell). */
  send(record: AlertRecord, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export type DropCause = 'queue-full' | 'rejected' | 'expired' | 'disabled';

export interface DeliveryStats {
  delivered: number;
  retries: number;
  readonly dropped: Record<DropCause, number>;
  /** Records not yet delivered (log head − cursor). */
  pending: number;
  lastSuccessMs: number;
  disabled: boolean;
}

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 60_000 };
const PAGE = 64;

export class Deliverer {
  readonly stats: DeliveryStats = {
    delivered: 0,
    retries: 0,
    dropped: { 'queue-full': 0, rejected: 0, expired: 0, disabled: 0 },
    pending: 0,
    lastSuccessMs: 0,
    disabled: false,
  };
  /** The record being sent, or the next to send. */
  private next = 1;
  private sending = false;
  /** Records below it were dropped (and counted) when the queue overflowed. */
  private floor = 1;
  private head = 0;
  private wake: (() => void) | undefined;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly sink: AlertSink,
    private readonly store: AlertStore,
    private readonly log: Log,
    private readonly maxQueue: number,
    private readonly backoff: Backoff = DEFAULT_BACKOFF
  ) {}

  /** Starts delivering from the stored cursor; `head` is the last record in the log. */
  async start(head: number): Promise<void> {
    this.next = (await this.store.cursor(this.name)) + 1;
    this.floor = this.next;
    this.head = head;
    this.bound();
    this.loop = this.run().catch((err: unknown) =>
      this.log.error(`alert output stopped: ${errorMessage(err)}`)
    );
  }

  /** New records up to `head` are in the store. */
  notify(head: number): void {
    this.head = Math.max(this.head, head);
    this.bound();
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    await this.sink.close();
  }

  /** Keeps at most maxQueue records waiting (besides the one being sent): counts the rest dropped. */
  private bound(): void {
    const from = Math.max(this.next + (this.sending ? 1 : 0), this.floor);
    const waiting = this.head - from + 1;
    if (waiting > this.maxQueue) {
      this.drop(this.stats.disabled ? 'disabled' : 'queue-full', waiting - this.maxQueue);
      this.floor = this.head - this.maxQueue + 1;
    }
    this.stats.pending = Math.max(0, this.head - Math.max(this.next, this.floor) + 1);
  }

  private drop(cause: DropCause, n: number): void {
    if (n <= 0) return;
    this.stats.dropped[cause] += n;
    this.log.warn(`dropped ${n} alert record(s): ${cause}`, { output: this.name, cause, count: n });
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      this.next = Math.max(this.next, this.floor);
      if (this.next > this.head) {
        await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        continue;
      }
      const first = await this.store.firstSeq();
      if (this.next < first) {
        this.drop('expired', first - this.next);
        this.next = this.floor = first;
      }
      const page = await this.store.records(this.next, PAGE);
      if (page.length === 0) {
        this.next = this.head + 1;
        continue;
      }
      for (const rec of page) {
        if (signal.aborted) return;
        if (rec.seq < this.floor) continue; // dropped while an earlier one was being sent
        this.next = rec.seq;
        this.sending = true;
        if (!this.stats.disabled) await this.deliver(rec, signal);
        else this.drop('disabled', 1);
        this.sending = false;
        if (signal.aborted) return;
        this.next = rec.seq + 1;
        this.bound();
        await this.store.setCursor(this.name, rec.seq);
      }
    }
  }

  /** Sends one record until it is delivered, rejected, or the output stops. */
  private async deliver(rec: AlertRecord, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await this.sink.send(rec, signal);
        this.stats.delivered++;
        this.stats.lastSuccessMs = Date.now();
        return;
      } catch (err) {
        if (signal.aborted) return;
        const kind = err instanceof DeliveryError ? err.kind : 'retry';
        if (kind === 'reject') {
          this.log.warn(`alert record ${rec.seq} rejected: ${errorMessage(err)}`, {
            output: this.name,
          });
          this.drop('rejected', 1);
          return;
        }
        if (kind === 'disable') {
          this.log.error(`alert output disabled: ${errorMessage(err)}`, { output: this.name });
          this.stats.disabled = true;
          this.drop('disabled', 1);
          return;
        }
        this.stats.retries++;
        const exp = Math.min(
          this.backoff.maxMs,
          this.backoff.initialMs * 2 ** Math.min(attempt, 16)
        );
        const wait =
          err instanceof DeliveryError && err.retryAfterMs !== undefined
            ? Math.min(this.backoff.maxMs, err.retryAfterMs)
            : exp / 2 + Math.random() * (exp / 2);
        if (attempt === 0 || attempt % 10 === 0)
          this.log.warn(`alert delivery failed, retrying: ${errorMessage(err)}`, {
            output: this.name,
            seq: rec.seq,
            attempt: attempt + 1,
          });
        await sleep(wait, signal);
      }
    }
  }
}
