/**
 * The fleet's outputs (docs/fleet.md §5): every applied stream message becomes one message on the
 * outputs stream, one EventNotice (tsem.proto, JSON) per line, so `tsem watch --nats` and any
 * operator tool can follow every namespace of the fleet from anywhere. A host's own engine
 * (`serve --nats --no-pool`) publishes its verdicts the same way under its host's origin. In a
 * pool the message id is the namespace and the event stream sequence: after a failover the new owner replays what the old
 * one applied but had not snapshotted, and the stream drops those repeats (within its duplicate
 * window). Publishing never slows the apply path: at most MAX_PENDING wait for their
 * acknowledgement; beyond that a notice message is counted as dropped and reported.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { EventOrigin, Outcome } from '../../engine/ns/pipeline.js';
import { noticeOf } from '../../engine/server/notice.js';
import { noticeToWire } from '../../engine/server/wire.js';
import { errorMessage } from '../../common/errors.js';
import { encodeToken, outputSubject, POOL_ORIGIN } from '../nats/names.js';
import { encodeNotice } from '../nats/notice-codec.js';

const MAX_PENDING = 256;
/** A full outputs stream or a failing server is logged at most this often. */
const REPORT_MS = 10_000;

export interface OutputStats {
  published: number;
  dropped: number;
  failed: number;
}

export function noticeLines(ns: string, origin: EventOrigin, outcomes: readonly Outcome[]): string {
  const timeMs = Date.now();
  const lines: string[] = [];
  for (const o of outcomes) {
    if (o.verdict === undefined && !('error' in o)) continue;
    const n = noticeOf(ns, origin, o, timeMs);
    lines.push(encodeNotice(noticeToWire(n)));
  }
  return lines.join('\n');
}

export class OutputPublisher {
  readonly stats: OutputStats = { published: 0, dropped: 0, failed: 0 };
  private pending = 0;
  private lastReport = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly js: JetStreamClient,
    private readonly log: (msg: string) => void,
    /** The subject's origin token: the pool's, or a host's own engine's (names.ts). */
    private readonly originToken = POOL_ORIGIN
  ) {}

  /**
   * `id` makes the message id (with the namespace and origin): the event stream sequence in a
   * pool, the first event's number in the namespace for a host's own engine.
   */
  publish(ns: string, id: number, origin: EventOrigin, outcomes: readonly Outcome[]): void {
    const text = noticeLines(ns, origin, outcomes);
    if (text === '') return;
    if (this.pending >= MAX_PENDING) {
      this.stats.dropped++;
      this.report(
        `outputs: ${this.stats.dropped} notice message(s) dropped so far (the outputs stream is not keeping up)`
      );
      return;
    }
    this.pending++;
    const p = this.js
      .publish(outputSubject(ns, this.originToken), text, {
        msgID: `${this.originToken}:${encodeToken(ns)}:${id}`,
      })
      .then(
        () => void this.stats.published++,
        (err: unknown) => {
          this.stats.failed++;
          this.report(
            `outputs: publishing failed (${this.stats.failed} so far): ${errorMessage(err)}`
          );
        }
      )
      .finally(() => {
        this.pending--;
        this.inFlight.delete(p);
      });
    this.inFlight.add(p);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private report(msg: string): void {
    const t = Date.now();
    if (t - this.lastReport < REPORT_MS) return;
    this.lastReport = t;
    this.log(msg);
  }
}
