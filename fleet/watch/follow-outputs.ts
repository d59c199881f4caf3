/**
 * `tsem watch --nats`: the fleet's outputs stream, followed from anywhere with a watcher's
 * credential (docs/fleet.md §5). An ordered consumer (no state on the server, resumed after a
 * reconnection where it left off) delivers new notices, or every kept one with `fromStart`;
 * the filters are Monitor's, applied here.
 */
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EventNotice__Output } from '../../proto/gen/tsem/v1/EventNotice.js';
import { compileGlob } from '../../engine/server/glob.js';
import { ALL_NOTICES, namespaceNotices, OUTPUTS_STREAM, outputHost } from '../nats/names.js';
import { decodeNotice } from '../nats/notice-codec.js';

export interface OutputFilter {
  readonly namespaces: readonly string[];
  readonly eventTypes: readonly string[];
  readonly offContourOnly: boolean;
  readonly processPatterns: readonly string[];
  readonly taskIds: readonly string[];
}

const ALERT_KINDS = new Set(['VERDICT_KIND_OFF_CONTOUR', 'VERDICT_KIND_WOULD_BE_OFF_CONTOUR']);

export function outputFilter(f: OutputFilter): (n: EventNotice__Output) => boolean {
  const ns = new Set(f.namespaces);
  const types = new Set(f.eventTypes);
  const globs = f.processPatterns.map((p) => compileGlob(p));
  const tasks = new Set(f.taskIds.map((t) => t.toLowerCase()));
  return (n) =>
    (ns.size === 0 || ns.has(n.namespace)) &&
    (types.size === 0 || types.has(n.type)) &&
    (!f.offContourOnly ||
      n.alert ||
      (n.verdict !== null &&
        (ALERT_KINDS.has(n.verdict.kind) || n.verdict.action === 'ACTION_DENY'))) &&
    (globs.length === 0 || globs.some((g) => g(n.process))) &&
    (tasks.size === 0 || (n.verdict !== null && tasks.has(n.verdict.task_id.toString('hex'))));
}

export interface Following extends AsyncIterable<EventNotice__Output> {
  stop(): Promise<void>;
}

export async function followOutputs(
  nc: NatsConnection,
  filter: OutputFilter,
  fromStart: boolean
): Promise<Following> {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(OUTPUTS_STREAM, {
    // One filter subject (NATS 2.9): one namespace's notices, or all of them (not the incidents).
    filter_subjects:
      filter.namespaces.length === 1 ? namespaceNotices(filter.namespaces[0]!) : ALL_NOTICES,
    deliver_policy: fromStart ? DeliverPolicy.All : DeliverPolicy.New,
  });
  const messages = await consumer.consume();
  const keep = outputFilter(filter);
  async function* notices(): AsyncGenerator<EventNotice__Output> {
    for await (const m of messages) {
      // A host's own engine speaks for that host only: the subject (authorized by the server) says
      // which host, whatever the notice claims.
      const host = outputHost(m.subject);
      for (const line of m.string().split('\n')) {
        if (line === '') continue;
        const n = decodeNotice(line);
        if (host !== undefined) n.host = host;
        if (keep(n)) yield n;
      }
    }
  }
  const it = notices();
  return {
    [Symbol.asyncIterator]: () => it,
    async stop() {
      await messages.close();
    },
  };
}
