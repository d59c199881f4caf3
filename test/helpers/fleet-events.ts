/** Simulated hosts' events for the fleet tests, and the single-engine replay they are checked by. */
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../../daemon/start-engine.js';
import type { NatsExportItem } from '../../fleet/export/nats-exporter.js';
import {
  encodeToken,
  EVENTS_STREAM,
  namespaceEvents,
  parseEventSubject,
  SNAPSHOTS_BUCKET,
} from '../../fleet/nats/names.js';
import { splitEvents } from '../../fleet/pool/namespace-runner.js';
import { createScenario } from '../../exporter/sim/index.js';

/** nginx scenario events for each namespace, interleaved in chunks, paced by `pauseMs` a round. */
export async function* simItems(
  namespaces: readonly string[],
  iterations: number,
  seed: number,
  pauseMs = 0
): AsyncGenerator<NatsExportItem> {
  const its = namespaces.map((ns, i) => ({
    ns,
    it: createScenario('nginx', { seed: seed + i, iterations })
      .events()
      [Symbol.iterator](),
  }));
  for (let live = true; live;) {
    live = false;
    for (const s of its) {
      for (let k = 0; k < 40; k++) {
        const r = s.it.next();
        if (r.done) break;
        live = true;
        yield { namespace: s.ns, event: r.value };
      }
    }
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 20_000
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Which engine's id each namespace's snapshot names (its owner since the last fence). */
export async function snapshotOwners(
  nc: NatsConnection,
  namespaces: readonly string[]
): Promise<Map<string, string>> {
  const kv = await new Kvm(nc).open(SNAPSHOTS_BUCKET);
  const out = new Map<string, string>();
  for (const ns of namespaces) {
    const e = await kv.get(encodeToken(ns));
    if (e?.operation === 'PUT') out.set(ns, e.json<{ owner: string }>().owner);
  }
  return out;
}

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
