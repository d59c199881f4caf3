/** Simulated hosts' events for the fleet tests, and the single-engine replay they are checked by. */
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../../daemon/start-engine.js';
import { EVENTS_STREAM, namespaceEvents, parseEventSubject } from '../../fleet/nats/names.js';
import { splitEvents } from '../../fleet/pool/namespace-runner.js';

export { simItems, snapshotOwners, until } from '../../bench/fleet-load.js';

export interface Replayed {
  readonly measurement: string;
  readonly events: number;
}

/**
 * Every namespace's events as the stream holds them (the fleet engines keep applied events:
 * --nats-keep-applied), replayed in stream order into one engine without a fleet.
 */
export async function singleEngineReplay(
  nc: NatsConnection,
  namespaces: readonly string[]
): Promise<Map<string, Replayed>> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-fleet-replay-'));
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    log: () => undefined,
    loopStallMs: 0,
  });
  const out = new Map<string, Replayed>();
  try {
    const js = jetstream(nc);
    for (const ns of namespaces) {
      const c = await js.consumers.get(EVENTS_STREAM, {
        filter_subjects: namespaceEvents(ns),
        deliver_policy: DeliverPolicy.All,
      });
      for (;;) {
        const m = await c.next({ expires: 1000 });
        if (!m) break;
        const where = parseEventSubject(m.subject)!;
        await engine.submit(ns, { host: where.host, exporter: 'sim' }, splitEvents(m.data));
        if (m.info.pending === 0) break;
      }
      const model = engine.registry.require(ns);
      out.set(ns, { measurement: model.measurement.toString('hex'), events: model.eventCount });
    }
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
