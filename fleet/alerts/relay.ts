/**
 * The fleet's incidents to operator outputs (`tsem alerts relay`, docs/fleet.md §5): a durable
 * consumer on the outputs stream's incident subjects, so a relay that stops (or dies) resumes
 * where it left off; each record goes to every output in turn (webhook, syslog, file: the
 * engine's own sinks and formats), retried with backoff while an output fails, and is acknowledged
 * once every output has it (or refused it for good). At least once: receivers de-duplicate by the
 * record's delivery id (incident id and version), as they do for an engine's outputs.
 */
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { sleep } from '../../common/abortable-sleep.js';
import { EngineError, errorMessage } from '../../common/errors.js';
import {
  type AlertSink,
  type Backoff,
  DEFAULT_BACKOFF,
  DeliveryError,
} from '../../engine/alert/deliverer.js';
import type { AlertRecord } from '../../engine/incident/incident.js';
import { ALL_INCIDENTS, namespaceIncidents, OUTPUTS_STREAM, outputHost } from '../nats/names.js';
import { decodeRecord } from './record-codec.js';

export interface RelayOutput {
  readonly name: string;
  readonly sink: AlertSink;
}

export interface RelayOptions {
  /** The durable consumer's name: one per relay (two relays of one name share the records). */
  readonly durable: string;
  /** Only this namespace's incidents (a consumer has one filter subject on NATS 2.9). */
  readonly namespace?: string;
  /** On first creation: every record the stream still holds, not only new ones. */
  readonly fromStart: boolean;
  readonly outputs: readonly RelayOutput[];
  readonly backoff?: Backoff;
  readonly log: (msg: string) => void;
  /** Called once a record is delivered to every output (or refused by one for good). */
  readonly relayed?: (r: AlertRecord, refusedBy: readonly string[]) => void;
}

export interface RelayStats {
  relayed: number;
  /** Messages that were not incident records (acknowledged, never delivered). */
  malformed: number;
  retries: number;
  /** Records an output refused for good (HTTP 4xx, too large), by output. */
  readonly refused: Record<string, number>;
}

export interface Relay {
  readonly stats: RelayStats;
  /** Settles when the relay stopped (stop() or the consumer ended). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** The consumer's filter: must stay the same for one durable name. */
const filterOf = (o: RelayOptions) =>
  o.namespace === undefined ? ALL_INCIDENTS : namespaceIncidents(o.namespace);

export async function startRelay(nc: NatsConnection, o: RelayOptions): Promise<Relay> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const filter = filterOf(o);
  const existing = await jsm.consumers.info(OUTPUTS_STREAM, o.durable).catch(() => undefined);
  if (existing && existing.config.filter_subject !== filter)
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `relay '${o.durable}' already follows '${existing.config.filter_subject ?? ''}', not '${filter}': give another --durable name`
    );
  if (!existing)
    await jsm.consumers.add(OUTPUTS_STREAM, {
      name: o.durable,
      durable_name: o.durable,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: o.fromStart ? DeliverPolicy.All : DeliverPolicy.New,
      ack_wait: 30_000_000_000,
      // In order: the next record waits for this one's acknowledgement.
      max_ack_pending: 1,
    });
  const consumer = await jetstream(nc).consumers.get(OUTPUTS_STREAM, o.durable);
  const stopping = new AbortController();
  const stats: RelayStats = { relayed: 0, malformed: 0, retries: 0, refused: {} };
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  let messages: ConsumerMessages | undefined;

  async function deliver(out: RelayOutput, r: AlertRecord, m: JsMsg): Promise<boolean> {
    for (let attempt = 0; !stopping.signal.aborted; attempt++) {
      try {
        await out.sink.send(r, stopping.signal);
        return true;
      } catch (err) {
        if (stopping.signal.aborted) return false;
        if (err instanceof DeliveryError && err.kind !== 'retry') {
          o.log(
            `${out.name}: record ${r.incident.id} v${r.incident.version} refused: ${errorMessage(err)}`
          );
          stats.refused[out.name] = (stats.refused[out.name] ?? 0) + 1;
          return true;
        }
        stats.retries++;
        if (attempt === 0 || attempt % 10 === 0)
          o.log(`${out.name}: delivery failed, retrying: ${errorMessage(err)}`);
        const exp = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 16));
        const wait =
          err instanceof DeliveryError && err.retryAfterMs !== undefined
            ? Math.min(backoff.maxMs, err.retryAfterMs)
            : exp / 2 + Math.random() * (exp / 2);
        m.working(); // not redelivered while we wait for the output
        await sleep(wait, stopping.signal);
      }
    }
    return false;
  }

  async function run(): Promise<void> {
    while (!stopping.signal.aborted) {
      messages = await consumer.consume({ max_messages: 8 });
      for await (const m of messages) {
        let r: AlertRecord;
        try {
          r = decodeRecord(m.string());
          // A host's own engine speaks for that host only: the subject (authorized by the server)
          // says which host, whatever the record claims.
          const host = outputHost(m.subject);
          if (host !== undefined) r = { ...r, incident: { ...r.incident, host } };
        } catch (err) {
          stats.malformed++;
          o.log(`skipping stream message ${m.seq}: ${errorMessage(err)}`);
          m.term(errorMessage(err));
          continue;
        }
        const refusedBefore = { ...stats.refused };
        let all = true;
        for (const out of o.outputs) all = (await deliver(out, r, m)) && all;
        // Stopped mid-record: not acknowledged, so the next run delivers it again.
        if (!all) return;
        await m.ackAck().catch(() => m.ack());
        stats.relayed++;
        o.relayed?.(
          r,
          o.outputs
            .map((x) => x.name)
            .filter((n) => (stats.refused[n] ?? 0) > (refusedBefore[n] ?? 0))
        );
      }
    }
  }

  const done = run().finally(async () => {
    for (const out of o.outputs) await out.sink.close().catch(() => undefined);
  });
  return {
    stats,
    done,
    async stop() {
      stopping.abort();
      await messages?.close().catch(() => undefined);
      await done.catch(() => undefined);
    },
  };
}
