/**
 * The engine's part in a fleet (docs/fleet.md): connect to NATS, join the pool with the engine's
 * own registry and pipeline, and on stop hand every namespace back before closing the connection.
 */
import type { Log } from '../common/log.js';
import type { NamespaceRegistry } from '../engine/ns/registry.js';
import type { Pipeline } from '../engine/ns/pipeline.js';
import { connectNats } from '../fleet/nats/connect.js';
import { engineHost } from '../fleet/pool/engine-host.js';
import { DEFAULT_POOL_OPTIONS, Pool } from '../fleet/pool/pool.js';
import type { FleetOptions } from './engine-options.js';

export async function joinFleet(
  opts: FleetOptions,
  registry: NamespaceRegistry,
  pipeline: Pipeline,
  log: Log
): Promise<{ pool: Pool; stop(): Promise<void> }> {
  const nc = await connectNats({ name: 'tsem-engine', ...opts.nats });
  const pool = new Pool(
    nc,
    engineHost(registry, pipeline),
    { ...DEFAULT_POOL_OPTIONS, ...opts.pool },
    (msg) => log(msg)
  );
  try {
    await pool.start();
  } catch (err) {
    await nc.close();
    throw err;
  }
  log(`fleet: NATS ${opts.nats.url}, engine ${pool.engineId}`);
  return {
    pool,
    async stop() {
      await pool.stop();
      await nc.drain().catch(() => nc.close());
    },
  };
}
