/**
 * The fleet on NATS JetStream (docs/fleet.md §8): events/s from two exporters (simulated hosts,
 * eight namespaces) through a real nats-server into a pool of 1, 2 and 3 engine processes, counted
 * until every namespace has applied every event; then the failover time, from kill -9 of an engine
 * mid-stream until its namespaces have new owners. This machine has two cores: the figures are a
 * report, not a scaling claim (exporters, nats-server and engines share them).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { main } from '../cli/main.js';
import { connectNats } from '../fleet/nats/connect.js';
import { hostInbox } from '../fleet/nats/names.js';
import { exportToNats, type NatsExportItem } from '../fleet/export/nats-exporter.js';
import { type FleetEngine, spawnFleetEngine } from './fleet-engine.js';
import { simItems, snapshotOwners, until } from './fleet-load.js';
import { natsServerAvailable, type NatsServer, startNatsServer } from './nats-server.js';

const HOSTS = ['host-a', 'host-b'];
const NAMESPACES = Array.from({ length: 8 }, (_, i) => `bench-${i}`);
const ITERATIONS = Number(process.env['TSEM_BENCH_FLEET_ITERATIONS'] ?? 8);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export interface FleetFigures {
  readonly engines: number;
  readonly events: number;
  /** Stored by JetStream (the exporters' acknowledgements). */
  readonly publishedPerSecond: number;
  /** Applied by the pool: every namespace up to the last event. */
  readonly appliedPerSecond: number;
}

async function eventsOf(e: FleetEngine, ns: string): Promise<number> {
  let out = '';
  const code = await main(['ns', 'show', ns, '--server', e.address, '--data', e.dir], {
    out: (t) => void (out += t),
    err: () => undefined,
  });
  if (code !== 0) return -1;
  const m = /^events\s+(\d+)/m.exec(out);
  return m ? Number(m[1]) : -1;
}

async function* counted(
  items: AsyncIterable<NatsExportItem>,
  counts: Map<string, number>
): AsyncGenerator<NatsExportItem> {
  for await (const i of items) {
    counts.set(i.namespace, (counts.get(i.namespace) ?? 0) + 1);
    yield i;
  }
}

function exporters(nats: NatsServer, counts: Map<string, number>, pauseMs = 0) {
  return HOSTS.map(async (host, i) => {
    const nc = await connectNats({
      url: nats.url,
      ...nats.host(host),
      inboxPrefix: hostInbox(host),
    });
    try {
      return await exportToNats(
        nc,
        counted(simItems(NAMESPACES, ITERATIONS, 1 + 100 * i, pauseMs), counts),
        { host, exporter: 'sim', batchSize: 512 }
      );
    } finally {
      await nc.close();
    }
  });
}

async function allApplied(
  admin: NatsConnection,
  engines: readonly FleetEngine[],
  counts: Map<string, number>
): Promise<boolean> {
  const owners = await snapshotOwners(admin, NAMESPACES);
  for (const ns of NAMESPACES) {
    const e = engines.find((x) => x.id === owners.get(ns));
    if (!e || (await eventsOf(e, ns)) !== counts.get(ns)) return false;
  }
  return true;
}

async function throughput(n: number): Promise<FleetFigures> {
  const nats = await startNatsServer(HOSTS);
  const engines: FleetEngine[] = [];
  const admin = await connectNats({ url: nats.url, ...nats.engine });
  try {
    engines.push(
      ...(await Promise.all(
        Array.from({ length: n }, (_, i) => spawnFleetEngine(nats, `e${i + 1}`))
      ))
    );
    const counts = new Map<string, number>();
    const t0 = performance.now();
    const stats = await Promise.all(exporters(nats, counts));
    const published = performance.now() - t0;
    await until('every event applied', () => allApplied(admin, engines, counts), 300_000);
    const applied = performance.now() - t0;
    const events = stats.reduce((t, s) => t + s.acked, 0);
    return {
      engines: n,
      events,
      publishedPerSecond: events / (published / 1000),
      appliedPerSecond: events / (applied / 1000),
    };
  } finally {
    await admin.close();
    for (const e of engines) await e.stop();
    await nats.stop();
  }
}

async function failover(): Promise<{ failoverMs: number; moved: number; leaseMs: number }> {
  const nats = await startNatsServer(HOSTS);
  const leaseMs = 3000;
  const engines = await Promise.all(
    ['e1', 'e2', 'e3'].map((id) => spawnFleetEngine(nats, id, ['--lease-ms', String(leaseMs)]))
  );
  const admin = await connectNats({ url: nats.url, ...nats.engine });
  try {
    const counts = new Map<string, number>();
    const running = exporters(nats, counts, 100);
    await until(
      'all namespaces owned',
      async () => (await snapshotOwners(admin, NAMESPACES)).size === 8,
      60_000
    );
    const owners = await snapshotOwners(admin, NAMESPACES);
    const victim = engines.find((e) => [...owners.values()].includes(e.id))!;
    const moved = [...owners].filter(([, o]) => o === victim.id).map(([ns]) => ns);
    await victim.kill9();
    const t0 = performance.now();
    await until(
      'namespaces moved',
      async () => {
        const now = await snapshotOwners(admin, moved);
        return moved.every((ns) => now.get(ns) !== victim.id);
      },
      60_000
    );
    const failoverMs = performance.now() - t0;
    await Promise.all(running);
    return { failoverMs, moved: moved.length, leaseMs };
  } finally {
    await admin.close();
    for (const e of engines) await e.stop();
    await nats.stop();
  }
}

export async function runFleetBench(): Promise<Record<string, unknown>> {
  if (!natsServerAvailable()) {
    console.log('  skipped: nats-server is not installed (apt-get install nats-server)');
    return { skipped: 'nats-server is not installed' };
  }
  const runs: FleetFigures[] = [];
  for (const n of [1, 2, 3]) {
    const f = await throughput(n);
    runs.push(f);
    console.log(
      `  ${n} engine(s): ${fmt(f.appliedPerSecond)} events/s applied (${fmt(f.events)} events, 2 hosts, 8 namespaces); JetStream stored ${fmt(f.publishedPerSecond)} events/s`
    );
  }
  const fo = await failover();
  console.log(
    `  failover: ${fmt(fo.failoverMs)} ms from kill -9 until its ${fo.moved} namespace(s) had new owners (lease ${fo.leaseMs} ms)`
  );
  return { runs, failover: fo };
}
