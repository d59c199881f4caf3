/**
 * The engine's part in a fleet (docs/fleet.md): connect to NATS and make (or find) the fleet's
 * streams and buckets before the engine's parts are built, since the labelled models live there;
 * join the pool once the registry and pipeline exist; on stop hand every namespace back, then
 * close the connection.
 */
import type { Log } from '../common/log.js';
import type { AlertOutput } from '../engine/alert/alert-service.js';
import { fleetIncidentOutput } from '../fleet/alerts/incident-sink.js';
import type { LabelModelStore } from '../engine/canister/label-models.js';
import type { NamespaceRegistry } from '../engine/ns/registry.js';
import type { Pipeline } from '../engine/ns/pipeline.js';
import { BucketLabelStore } from '../fleet/labels/bucket-label-store.js';
import { connectNats } from '../fleet/nats/connect.js';
import { ensureFleet } from '../fleet/nats/setup.js';
import { engineHost } from '../fleet/pool/engine-host.js';
import { DEFAULT_POOL_OPTIONS, Pool } from '../fleet/pool/pool.js';
import type { FleetOptions } from './engine-options.js';

export interface FleetMembership {
  /** The fleet's labelled models (the one store of them). */
  readonly labels: LabelModelStore;
  /** The engine's incidents, published to the fleet's outputs stream (one more alert output). */
  readonly incidents: AlertOutput;
  join(registry: NamespaceRegistry, pipeline: Pipeline): Promise<Pool>;
  /** Leaves the pool (namespaces snapshotted and released) and closes the connection. */
  stop(): Promise<void>;
}

export async function connectFleet(opts: FleetOptions, log: Log): Promise<FleetMembership> {
  const nc = await connectNats({ name: 'tsem-engine', ...opts.nats });
  let pool: Pool | undefined;
  try {
    const stores = await ensureFleet(nc, opts.pool?.limits);
    return {
      labels: new BucketLabelStore(stores.labels, stores.objects),
      incidents: fleetIncidentOutput(nc),
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
