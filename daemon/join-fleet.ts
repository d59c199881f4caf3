/**
 * The engine's part in a fleet (docs/fleet.md): connect to NATS and make (or find) the fleet's
 * streams and buckets before the engine's parts are built, since the labelled models live there;
 * join the pool once the registry and pipeline exist; on stop hand every namespace back, then
 * close the connection. A host's own engine (`publish`) joins no pool: it reads the labelled
 * models, and publishes its verdicts, incidents and namespace models as its host.
 */
import type { Log } from '../common/log.js';
import type { AlertOutput } from '../engine/alert/alert-service.js';
import type { LabelModelStore } from '../engine/canister/label-models.js';
import type { NamespaceRegistry } from '../engine/ns/registry.js';
import type { EventOrigin, Outcome, Pipeline } from '../engine/ns/pipeline.js';
import { fleetIncidentOutput } from '../fleet/alerts/incident-sink.js';
import { BucketLabelStore } from '../fleet/labels/bucket-label-store.js';
import { connectNats } from '../fleet/nats/connect.js';
import { hostInbox, hostOrigin, POOL_ORIGIN } from '../fleet/nats/names.js';
import { ensureFleet, openLabels } from '../fleet/nats/setup.js';
import { engineHost } from '../fleet/pool/engine-host.js';
import { DEFAULT_POOL_OPTIONS, Pool } from '../fleet/pool/pool.js';
import { HostPublisher } from '../fleet/publish/host-publisher.js';
import type { FleetOptions } from './engine-options.js';

const DEFAULT_MODELS_MS = 5000;

export interface FleetMembership {
  /** The fleet's labelled models (the one store of them). */
  readonly labels: LabelModelStore;
  /** The engine's incidents, published to the fleet's outputs stream (one more alert output). */
  readonly incidents: AlertOutput;
  /** Joins the pool (undefined for a host's own engine, which starts publishing instead). */
  join(registry: NamespaceRegistry, pipeline: Pipeline): Promise<Pool | undefined>;
  /** A persisted batch's outcomes (a host's own engine publishes them; pool runners do their own). */
  notices(ns: string, origin: EventOrigin, outcomes: readonly Outcome[]): void;
  /**
   * Leaves the pool (namespaces snapshotted and released) or stops publishing (a last model
   * publish, notices in flight drained): while the pipeline still runs.
   */
  leave(): Promise<void>;
  /** Leaves, then closes the connection. */
  stop(): Promise<void>;
}

export async function connectFleet(opts: FleetOptions, log: Log): Promise<FleetMembership> {
  const publish = opts.publish;
  const nc = await connectNats({
    name: 'tsem-engine',
    ...(publish ? { inboxPrefix: hostInbox(publish.host) } : {}),
    ...opts.nats,
  });
  let pool: Pool | undefined;
  let publisher: HostPublisher | undefined;
  const stopPublishing = async () => {
    const p = publisher;
    publisher = undefined;
    await p?.stop();
  };
  try {
    if (publish) {
      const { labels, objects } = await openLabels(nc);
      return {
        labels: new BucketLabelStore(labels, objects),
        incidents: fleetIncidentOutput(nc, hostOrigin(publish.host)),
        join(registry, pipeline) {
          publisher = new HostPublisher(
            nc,
            publish.host,
            registry,
            pipeline,
            (msg) => log(msg),
            publish.modelsMs ?? DEFAULT_MODELS_MS
          );
          publisher.start();
          log(`fleet: NATS ${opts.nats.url}, publishing as host ${publish.host} (no pool)`);
          return Promise.resolve(undefined);
        },
        notices: (ns, origin, outcomes) => publisher?.notices(ns, origin, outcomes),
        leave: stopPublishing,
        async stop() {
          await stopPublishing();
          await nc.drain().catch(() => nc.close());
        },
      };
    }
    const stores = await ensureFleet(nc, opts.pool?.limits);
    return {
      labels: new BucketLabelStore(stores.labels, stores.objects),
      incidents: fleetIncidentOutput(nc, POOL_ORIGIN),
      async join(registry, pipeline) {
        const p = new Pool(
          nc,
          stores,
          engineHost(registry, pipeline),
          { ...DEFAULT_POOL_OPTIONS, ...opts.pool },
          (msg) => log(msg)
        );
        await p.start();
        pool = p;
        log(`fleet: NATS ${opts.nats.url}, engine ${p.engineId}`);
        return p;
      },
      notices: () => undefined,
      leave: async () => pool?.stop(),
      async stop() {
        await pool?.stop();
        await nc.drain().catch(() => nc.close());
      },
    };
  } catch (err) {
    await nc.close();
    throw err;
  }
}
