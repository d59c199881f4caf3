/**
 * The fleet's acceptance (docs/fleet.md): three engines (processes), two exporters on simulated
 * hosts, eight namespaces, every server on its own loopback port. One engine is killed with
 * SIGKILL mid-stream: its namespaces move within 10 s, no acknowledged event is lost, and each
 * namespace's measurement equals a single-engine replay of the same events. Then the NATS server
 * restarts mid-stream (JetStream file storage): nothing acknowledged is lost either.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../../fleet/nats/connect.js';
import { hostInbox } from '../../fleet/nats/names.js';
import {
  exportToNats,
  type NatsExportItem,
  type NatsExportStats,
} from '../../fleet/export/nats-exporter.js';
import { natsServerAvailable, type NatsServer, startNatsServer } from '../helpers/nats-server.js';
import { type FleetEngine, spawnFleetEngine } from '../helpers/fleet-engine.js';
import { simItems, singleEngineReplay, snapshotOwners, until } from '../helpers/fleet-events.js';
import { runCli } from '../helpers/cli.js';
import { showFields } from '../helpers/cli-engine.js';

const skip = natsServerAvailable()
  ? false
  : 'nats-server is not installed (apt-get install nats-server)';
const HOSTS = ['host-a', 'host-b'];
const LEASE = ['--lease-ms', '2000', '--snapshot-ms', '300', '--nats-keep-applied'];
const MAX_ITERATIONS = 16;
/** Events keep flowing this long after the kill (or the restart), through the takeover. */
const AFTER_MS = 2000;

describe('a fleet of three engines on NATS JetStream', { skip, timeout: 240_000 }, () => {
  let nats: NatsServer;
  let admin: NatsConnection;
  const engines = new Map<string, FleetEngine>();

  before(async () => {
    nats = await startNatsServer(HOSTS);
    const started = await Promise.all(
      ['e1', 'e2', 'e3'].map((id) => spawnFleetEngine(nats, id, LEASE))
    );
    for (const e of started) engines.set(e.id, e);
    admin = await connectNats({ url: nats.url, ...nats.engine });
  });
  after(async () => {
    await admin?.close();
    for (const e of engines.values()) await e.stop();
    await nats?.stop();
  });

  /** A wait that names each engine's state and last log lines when it times out. */
  async function untilFleet(what: string, cond: () => Promise<boolean>, ms?: number) {
    try {
      await until(what, cond, ms);
    } catch (err) {
      const states = [...engines.values()].map(
        (e) =>
          `${e.id}: exit ${e.proc.exitCode ?? e.proc.signalCode ?? 'running'}\n` +
          e.log().split('\n').slice(-15).join('\n')
      );
      throw new Error(`${(err as Error).message}\n${states.join('\n')}`);
    }
  }

  /**
   * Rounds of events until the test stops them: the export runs as long as the test needs it
   * (however slow a loaded machine makes the engines' start and takeover), so what it does
   * mid-stream always happens mid-stream.
   */
  async function* untilStopped(
    items: AsyncIterable<NatsExportItem>,
    gate: { stopped: boolean }
  ): AsyncGenerator<NatsExportItem> {
    for await (const item of items) {
      if (gate.stopped) return;
      yield item;
    }
  }

  function exporters(
    namespaces: readonly string[],
    seed: number,
    pauseMs: number,
    gate: { stopped: boolean }
  ) {
    return HOSTS.map(async (host, i) => {
      const nc = await connectNats({
        url: nats.url,
        ...nats.host(host),
        inboxPrefix: hostInbox(host),
      });
      try {
        // Rounds for 20-30 s at most: the gate ends the export long before.
        const items = simItems(namespaces, MAX_ITERATIONS, seed + 100 * i, pauseMs);
        return await exportToNats(nc, untilStopped(items, gate), {
          host,
          exporter: 'sim',
          batchSize: 64,
        });
      } finally {
        await nc.close();
      }
    });
  }

  /** Each namespace as its owner engine holds it, checked against a single-engine replay. */
  async function checkAgainstReplay(namespaces: readonly string[], sent: number): Promise<void> {
    const live = [...engines.values()].filter(
      (e) => e.proc.exitCode === null && e.proc.signalCode === null
    );
    const byId = new Map(live.map((e) => [e.id, e]));
    const replay = await singleEngineReplay(admin, namespaces);
    const total = [...replay.values()].reduce((t, r) => t + r.events, 0);
    assert.equal(total, sent, 'the stream holds every acknowledged event once');
    // However long the export ran on a loaded machine, the engines get time to apply it all (the
    // failover's bound is checked apart; this is "eventually, equal to a replay").
    await untilFleet(
      'every namespace applied up to the stream',
      async () => {
        const owners = await snapshotOwners(admin, namespaces);
        for (const ns of namespaces) {
          const e = byId.get(owners.get(ns) ?? '');
          if (!e) return false;
          const r = await runCli('ns', 'show', ns, '--server', e.address, '--data', e.dir);
          if (r.code !== 0) return false;
          if (Number(showFields(r.out).get('events')) !== replay.get(ns)!.events) return false;
        }
        return true;
      },
      Math.max(20_000, sent * 2)
    );
    const owners = await snapshotOwners(admin, namespaces);
    for (const ns of namespaces) {
      const e = byId.get(owners.get(ns)!)!;
      const f = showFields(
        (await runCli('ns', 'show', ns, '--server', e.address, '--data', e.dir)).out
      );
      assert.equal(f.get('measurement'), replay.get(ns)!.measurement, `namespace ${ns} on ${e.id}`);
      assert.equal(Number(f.get('events')), replay.get(ns)!.events, `namespace ${ns} on ${e.id}`);
    }
  }

  test('kill -9 of an engine mid-stream: its namespaces move within 10 s, nothing lost, measurements equal a replay', async (t) => {
    const namespaces = Array.from({ length: 8 }, (_, i) => `ns${i}`);
    const gate = { stopped: false };
    const running = exporters(namespaces, 1, 300, gate);
    let exported = false;
    void Promise.all(running).finally(() => (exported = true));
    const spread = async () => {
      const owners = await snapshotOwners(admin, namespaces);
      const counts = new Map<string, number>();
      for (const o of owners.values()) counts.set(o, (counts.get(o) ?? 0) + 1);
      return { owners, counts };
    };
    // Rendezvous spreads them; an engine that joined late may still be getting its share.
    await untilFleet('all namespaces owned, spread over the engines', async () => {
      const { owners, counts } = await spread();
      return owners.size === 8 && counts.size >= 2;
    });
    const { owners, counts } = await spread();
    const victim = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const moved = [...owners].filter(([, o]) => o === victim).map(([ns]) => ns);
    await engines.get(victim)!.kill9();
    const killedAt = Date.now();
    assert.equal(exported, false, 'the engine died mid-stream');
    setTimeout(() => (gate.stopped = true), AFTER_MS);
    await untilFleet(
      "the killed engine's namespaces taken over",
      async () => {
        const now = await snapshotOwners(admin, moved);
        return moved.every((ns) => (now.get(ns) ?? victim) !== victim);
      },
      10_000
    );
    const failoverMs = Date.now() - killedAt;
    const stats: NatsExportStats[] = await Promise.all(running);
    for (const s of stats) {
      assert.equal(s.acked, s.sent);
      assert.equal(s.unacked, 0);
    }
    const sent = stats.reduce((t, s) => t + s.sent, 0);
    await checkAgainstReplay(namespaces, sent);
    assert.ok(failoverMs < 10_000, `failover took ${failoverMs} ms`);
    t.diagnostic(
      `${moved.length} namespace(s) of ${victim} moved in ${failoverMs} ms; ${sent} events`
    );
    engines.get(victim)!.proc.removeAllListeners();
  });

  test('the NATS server restarts mid-stream: nothing acknowledged is lost', async () => {
    const namespaces = Array.from({ length: 4 }, (_, i) => `restart-${i}`);
    const gate = { stopped: false };
    const running = exporters(namespaces, 50, 150, gate);
    let exported = false;
    void Promise.all(running).finally(() => (exported = true));
    await untilFleet(
      'all namespaces owned',
      async () => (await snapshotOwners(admin, namespaces)).size === 4
    );
    await nats.restart({ downMs: 1000 });
    assert.equal(exported, false, 'the server restarted mid-stream');
    setTimeout(() => (gate.stopped = true), AFTER_MS);
    const stats = await Promise.all(running);
    for (const s of stats) assert.equal(s.acked, s.sent);
    await checkAgainstReplay(
      namespaces,
      stats.reduce((t, s) => t + s.sent, 0)
    );
  });
});
