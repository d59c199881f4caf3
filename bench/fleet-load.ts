/** Simulated hosts' load for the fleet tests and benchmark: events and who owns what. */
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsExportItem } from '../fleet/export/nats-exporter.js';
import { encodeToken, SNAPSHOTS_BUCKET } from '../fleet/nats/names.js';
import { createScenario } from '../exporter/sim/index.js';

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
