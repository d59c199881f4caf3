/**
 * `tsem export --nats`: events into the fleet's JetStream stream (docs/fleet.md §2). Events are
 * grouped per namespace into messages of up to `batchSize` kernel lines on the subject of this
 * host and that namespace. Each message has an id (this run's session and the message's number),
 * so one sent again after a lost acknowledgement is stored once (within the stream's duplicate
 * window); its headers number its events within the run's session and namespace, so an engine
 * can tell events it applied even when a message is stored twice (docs/fleet.md §2). Per namespace one message is in flight at a time and it is retried until JetStream
 * acknowledges it, so a namespace's events are stored in the order they were read, whatever
 * happens to the server or the engines; namespaces go in parallel, at most `window` messages
 * held in memory. Acknowledged here means stored in the stream (file storage): no engine has to
 * be running. A full stream is reported and retried, never dropped.
 */
import { randomUUID } from 'node:crypto';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { EngineError, errorMessage } from '../../common/errors.js';
import { eventSubject } from '../nats/names.js';
import { EXPORTER_HEADER, FIRST_SEQ_HEADER, SESSION_HEADER } from '../nats/names.js';

export interface NatsExportItem {
  readonly namespace: string;
  /** A kernel-form event object, or one raw kernel line (sent byte for byte). */
  readonly event: object | Buffer;
}

export interface NatsExportOptions {
  /** The subject's host token: the host this credential may publish as. */
  readonly host: string;
  /** e.g. "sim", "file", "fanotify". */
  readonly exporter: string;
  readonly batchSize?: number;
  readonly flushMs?: number;
  /** Messages held (read, not yet acknowledged), all namespaces together. */
  readonly window?: number;
  readonly signal?: AbortSignal;
  /** Told about a full stream or an unreachable server (at most every few seconds). */
  readonly notice?: (msg: string) => void;
  /** After the input ends or is stopped, how long unacknowledged messages are still retried. */
  readonly drainMs?: number;
}

export interface NatsExportStats {
  sent: number;
  acked: number;
  messages: number;
  /** Acknowledged as duplicates (already stored). */
  duplicates: number;
  retries: number;
  /** Events read but never acknowledged (drain time over, permission refused). */
  unacked: number;
}

interface Message {
  readonly subject: string;
  readonly id: string;
  /** The number of the message's first event among this run's events of its namespace. */
  readonly firstSeq: number;
  readonly data: Buffer;
  readonly events: number;
}

const NOTICE_MS = 5000;

function isPermanent(err: unknown): boolean {
  return /permission|authorization/i.test(errorMessage(err));
}

export async function exportToNats(
  nc: NatsConnection,
  items: AsyncIterable<NatsExportItem>,
  o: NatsExportOptions
): Promise<NatsExportStats> {
  const js: JetStreamClient = jetstream(nc, { timeout: 5000 });
  const batchSize = o.batchSize ?? 512;
  const flushMs = o.flushMs ?? 20;
  const window = o.window ?? 64;
  const session = randomUUID();
  const stats: NatsExportStats = {
    sent: 0,
    acked: 0,
    messages: 0,
    duplicates: 0,
    retries: 0,
    unacked: 0,
  };
  const lanes = new Map<string, Message[]>();
  const running = new Map<string, Promise<void>>();
  const pending = new Map<string, { lines: Buffer[]; timer?: NodeJS.Timeout }>();
  let held = 0;
  let number = 0;
  /** Events numbered so far per subject (host and namespace), 1-based in this session. */
  const numbered = new Map<string, number>();
  let lastNotice = 0;
  let fatal: unknown;
  let deadline = Infinity;
  const slotWaiters: (() => void)[] = [];
  const notice = (msg: string) => {
    const t = Date.now();
    if (t - lastNotice < NOTICE_MS) return;
    lastNotice = t;
    o.notice?.(msg);
  };

  async function publishLane(subject: string): Promise<void> {
    const q = lanes.get(subject)!;
    while (q.length > 0 && fatal === undefined) {
      const m = q[0]!;
      const h = headers();
      h.set(EXPORTER_HEADER, o.exporter);
      h.set(SESSION_HEADER, session);
      h.set(FIRST_SEQ_HEADER, String(m.firstSeq));
      for (let attempt = 0; ; attempt++) {
        try {
          const ack = await js.publish(m.subject, m.data, { msgID: m.id, headers: h });
          if (ack.duplicate) stats.duplicates++;
          stats.acked += m.events;
          break;
        } catch (err) {
          if (isPermanent(err)) {
            fatal = new EngineError(
              'TSEM_PERMISSION',
              `NATS refused to store events on ${m.subject}: ${errorMessage(err)}`
            );
            break;
          }
          if (Date.now() >= deadline) {
            fatal = new EngineError(
              'TSEM_UNAVAILABLE',
              `NATS did not acknowledge events on ${m.subject} in time: ${errorMessage(err)}`
            );
            break;
          }
          stats.retries++;
          notice(`NATS: ${errorMessage(err)}; holding ${held} message(s), retrying`);
          await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** Math.min(attempt, 6))));
        }
      }
      q.shift();
      held--;
      slotWaiters.shift()?.();
    }
    running.delete(subject);
  }

  function enqueue(subject: string, lines: Buffer[]): void {
    const first = (numbered.get(subject) ?? 0) + 1;
    numbered.set(subject, first + lines.length - 1);
    const m: Message = {
      subject,
      id: `${session}:${++number}`,
      firstSeq: first,
      data: Buffer.concat(lines.flatMap((l, i) => (i === 0 ? [l] : [NL, l]))),
      events: lines.length,
    };
    stats.messages++;
    held++;
    const q = lanes.get(subject) ?? lanes.set(subject, []).get(subject)!;
    q.push(m);
    if (!running.has(subject)) running.set(subject, publishLane(subject));
  }

  const flush = (subject: string) => {
    const p = pending.get(subject);
    if (!p || p.lines.length === 0) return;
    clearTimeout(p.timer);
    pending.delete(subject);
    enqueue(subject, p.lines);
  };

  try {
    for await (const item of items) {
      if (fatal !== undefined || o.signal?.aborted) break;
      const subject = eventSubject(o.host, item.namespace);
      const line = Buffer.isBuffer(item.event)
        ? item.event
        : Buffer.from(JSON.stringify(item.event));
      let p = pending.get(subject);
      if (!p) {
        p = { lines: [] };
        pending.set(subject, p);
        p.timer = setTimeout(() => flush(subject), flushMs);
      }
      p.lines.push(line);
      stats.sent++;
      if (p.lines.length >= batchSize) flush(subject);
      while (held >= window && fatal === undefined)
        await new Promise<void>((r) => slotWaiters.push(r));
    }
  } finally {
    for (const s of [...pending.keys()]) flush(s);
    deadline = Date.now() + (o.drainMs ?? 30_000);
    while (running.size > 0) await Promise.all([...running.values()]);
  }
  stats.unacked = stats.sent - stats.acked;
  if (fatal !== undefined) throw Object.assign(fatal as Error, { stats });
  return stats;
}

const NL = Buffer.from('\n');

export function formatNatsSummary(s: NatsExportStats): string {
  return `sent ${s.sent} acked ${s.acked} messages ${s.messages} duplicates ${s.duplicates} retries ${s.retries} unacked ${s.unacked}`;
}
