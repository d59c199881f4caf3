/**
 * A host's own engine sharing with the fleet (`tsem serve --nats URL --no-pool`, docs/fleet.md
 * §7): its verdicts go to the outputs stream under its host's origin, and every `modelsMs` each
 * namespace that changed is published to the host-models bucket (points for promotion). Decisions
 * stay local: nothing here is awaited by the pipeline; notices beyond the outputs publisher's bound
 * are dropped and counted, a model that fails to publish is tried again at the next interval.
 * Its incidents go through the engine's alert log (fleet/alerts/incident-sink.ts).
 */
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { errorMessage } from '../../common/errors.js';
import type { EventOrigin, Outcome, Pipeline } from '../../engine/ns/pipeline.js';
import type { NamespaceRegistry } from '../../engine/ns/registry.js';
import { HOST_MODELS_BUCKET, hostModelKey, hostOrigin } from '../nats/names.js';
import { OutputPublisher } from '../pool/outputs.js';
import { hostModelRecord } from './host-models.js';

/** A model record above this is not published (the server's default message limit is 1 MiB). */
const MODEL_MAX_BYTES = 1000 * 1024;

export interface HostPublisherStats {
  modelsPublished: number;
  modelsFailed: number;
  modelsTooLarge: number;
}

export class HostPublisher {
  readonly outputs: OutputPublisher;
  readonly stats: HostPublisherStats = { modelsPublished: 0, modelsFailed: 0, modelsTooLarge: 0 };
  private readonly js: JetStreamClient;
  /** Per namespace: what it looked like when last published. */
  private readonly published = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    nc: NatsConnection,
    readonly host: string,
    private readonly registry: NamespaceRegistry,
    private readonly pipeline: Pipeline,
    private readonly log: (msg: string) => void,
    private readonly modelsMs: number
  ) {
    this.js = jetstream(nc);
    this.outputs = new OutputPublisher(this.js, log, hostOrigin(host));
  }

  start(): void {
    this.timer = setInterval(() => void this.publishModels(), this.modelsMs);
    this.timer.unref();
  }

  /** The pipeline's outcomes of one batch (after they were persisted): never waits. */
  notices(ns: string, origin: EventOrigin, outcomes: readonly Outcome[]): void {
    const first = outcomes.find((o) => o.verdict !== undefined)?.verdict;
    if (first) this.outputs.publish(ns, first.seq, origin, outcomes);
  }

  /** Publishes each namespace that changed since it was last published; one run at a time. */
  publishModels(): Promise<void> {
    this.running = this.running.then(async () => {
      for (const ns of this.registry.list()) {
        const mark = `${ns.eventCount}:${ns.editCount}:${ns.mode}`;
        if (this.published.get(ns.id) === mark) continue;
        try {
          // In the namespace's order: the model as of its last applied event.
          const record = await this.pipeline.control(ns.id, (m) =>
            hostModelRecord(this.host, m, Date.now())
          );
          const text = JSON.stringify(record);
          if (text.length > MODEL_MAX_BYTES) {
            if (this.published.get(ns.id) !== 'too-large')
              this.log(
                `fleet: namespace ${ns.id}: its model (${text.length} bytes) is too large to publish`
              );
            this.stats.modelsTooLarge++;
            this.published.set(ns.id, 'too-large');
            continue;
          }
          await this.js.publish(
            `$KV.${HOST_MODELS_BUCKET}.${hostModelKey(this.host, ns.id)}`,
            text
          );
          this.published.set(ns.id, mark);
          this.stats.modelsPublished++;
        } catch (err) {
          if (this.stats.modelsFailed++ === 0 || this.stats.modelsFailed % 100 === 0)
            this.log(`fleet: namespace ${ns.id}: model not published: ${errorMessage(err)}`);
        }
      }
    });
    return this.running;
  }

  /** Publishes what changed one last time and waits for the notices in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.publishModels();
    await this.outputs.drain();
  }
}
