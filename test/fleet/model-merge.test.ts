/**
 * Promotion in a fleet: `tsem model merge` unions two pool namespaces' points (learned from two
 * hosts) into a label's model with provenance, reports what they disagree on, and writes by
 * compare-and-set so concurrent promoters cannot both win; a canister of the label on either
 * engine then starts from the merged model.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { connectNats } from '../../fleet/nats/connect.js';
import { ensureFleet, type FleetStores } from '../../fleet/nats/setup.js';
import { BucketLabelStore } from '../../fleet/labels/bucket-label-store.js';
import { promote, PromotionRaceError } from '../../fleet/labels/promote.js';
import { SnapshotStore } from '../../fleet/pool/snapshot-store.js';
import type { NatsConnection } from '@nats-io/transport-node';
import { natsServerAvailable, type NatsServer, startNatsServer } from '../helpers/nats-server.js';
import { until } from '../helpers/fleet-events.js';
import { runCli } from '../helpers/cli.js';
import { clients } from '../helpers/grpc.js';
import type { RunCanisterResponse__Output } from '../../proto/gen/tsem/v1/RunCanisterResponse.js';

const skip = natsServerAvailable()
  ? false
  : 'nats-server is not installed (apt-get install nats-server)';

describe('model merge: promotion of pool namespaces into a label', { skip }, () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let stores: FleetStores;
  const engines: RunningEngine[] = [];
  const dirs: string[] = [];
  const engineCred = () => [
    '--nats-user',
    'engine',
    '--nats-password-file',
    nats.engine.passwordFile,
  ];

  async function engine(id: string): Promise<RunningEngine> {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-merge-'));
    dirs.push(dir);
    const e = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      log: () => undefined,
      loopStallMs: 0,
      fleet: {
        nats: { url: nats.url, ...nats.engine },
        pool: { engineId: id, leaseMs: 1500, heartbeatMs: 300, snapshotMs: 200 },
      },
    });
    engines.push(e);
    return e;
  }

  const owner = (ns: string) => engines.find((e) => e.registry.get(ns))!;
  const snapshotEvents = async (ns: string) =>
    (await new SnapshotStore(stores.snapshots, stores.objects).read(ns)).state?.meta.events ?? 0;

  async function exportSim(host: string, ns: string, scenario: string, seed: string) {
    const r = await runCli(
      'export',
      '--source',
      'sim',
      '--scenario',
      scenario,
      '--seed',
      seed,
      '--namespace',
      ns,
      '--host',
      host,
      '--nats',
      nats.url,
      '--nats-user',
      host,
      '--nats-password-file',
      nats.host(host).passwordFile
    );
    assert.equal(r.code, 0, r.err);
    const sent = Number(/^sent (\d+)/m.exec(r.out)![1]);
    return sent;
  }

  before(async () => {
    nats = await startNatsServer(['host-a', 'host-b']);
    await engine('e1');
    await engine('e2');
    nc = await connectNats({ url: nats.url, ...nats.engine });
    stores = await ensureFleet(nc);
  });
  after(async () => {
    for (const e of engines) await e.stop().catch(() => undefined);
    await nc?.close();
    await nats?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('two hosts, two namespaces: points unioned with provenance, conflicts reported', async () => {
    const a =
      (await exportSim('host-a', 'web-a', 'nginx', '1')) +
      (await exportSim('host-a', 'web-a', 'cron-backup', '1'));
    const b = await exportSim('host-b', 'web-b', 'reverse-shell', '2');
    await until('both applied', () => !!owner('web-a') && !!owner('web-b'));
    await until('web-b applied', () => owner('web-b').registry.get('web-b')!.eventCount === b);
    // web-b is sealed, then sees one of web-a's workloads: what it lacks becomes forensics there.
    const sealed = await runCli(
      'ns',
      'mode',
      'web-b',
      'sealed',
      '--server',
      owner('web-b').address,
      '--data',
      owner('web-b').dataDir
    );
    assert.equal(sealed.code, 0, sealed.err);
    const more = await exportSim('host-b', 'web-b', 'cron-backup', '1');
    await until('snapshots taken', async () => {
      return (await snapshotEvents('web-a')) === a && (await snapshotEvents('web-b')) === b + more;
    });
    const nsA = owner('web-a').registry.get('web-a')!;
    const nsB = owner('web-b').registry.get('web-b')!;
    const valid = (ns: typeof nsA) =>
      new Set(ns.exportModel().states.map((s) => s.toString('hex')));
    const va = valid(nsA);
    const vb = valid(nsB);
    const forensicB = nsB
      .exportModel(true)
      .states.map((s) => s.toString('hex'))
      .filter((h) => !vb.has(h));
    assert.ok(forensicB.length > 0, 'web-b holds forensics');
    const union = new Set([...va, ...vb]);
    assert.ok(union.size > va.size && union.size > vb.size, 'each host learned something');

    const r = await runCli(
      'model',
      'merge',
      '--label',
      'web',
      '--namespace',
      'web-a',
      '--namespace',
      'web-b',
      '--nats',
      nats.url,
      ...engineCred(),
      '--json'
    );
    assert.equal(r.code, 1, `conflicts reported: ${r.err}`);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.at(-1)!.summary as Record<string, unknown>;
    assert.equal(summary.points, union.size);
    assert.equal(summary.written, true);
    assert.equal(summary.sealed, false, 'sealed only when every source is');
    const kinds = new Set(lines.filter((l) => l.conflict).map((l) => l.conflict));
    assert.ok(kinds.has('sealed') && kinds.has('mode'), [...kinds].join());
    assert.ok(kinds.has('forensic-elsewhere'), 'a point forensic in web-b, valid in web-a');

    const stored = await new BucketLabelStore(stores.labels, stores.objects).getVersioned('web');
    const p = stored.model!.provenance!;
    assert.deepEqual(p.sources, ['web-a', 'web-b']);
    for (const h of union) {
      const want = [...(va.has(h) ? [0] : []), ...(vb.has(h) ? [1] : [])];
      assert.deepEqual(p.points[h], want, `provenance of ${h}`);
    }
    assert.equal(stored.model!.source, 'merged from web-a, web-b');

    // Merged again: the label's model is a source too, nothing new.
    const again = await runCli(
      'model',
      'merge',
      '--label',
      'web',
      '--namespace',
      'web-a',
      '--nats',
      nats.url,
      ...engineCred(),
      '--json'
    );
    const s2 = JSON.parse(again.out.trim().split('\n').at(-1)!) as { summary: { points: number } };
    assert.equal(s2.summary.points, union.size);
  });

  test('two promoters from the same revision: exactly one writes', async () => {
    const req = (ns: string) => ({
      label: 'race',
      namespaces: [ns],
      replace: true,
      dryRun: false,
      now: Date.now(),
    });
    const results = await Promise.allSettled([
      promote(stores, req('web-a')),
      promote(stores, req('web-b')),
      promote(stores, req('web-a')),
      promote(stores, req('web-b')),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1, 'one winner');
    for (const l of lost) assert.ok(l.reason instanceof PromotionRaceError, String(l.reason));
    const winner = won[0]!.value;
    const stored = await new BucketLabelStore(stores.labels, stores.objects).get('race');
    assert.equal(stored?.model, winner.label.model, 'the winner is what the bucket holds');
    // The CLI says a lost race with 69 and writes nothing; a plain retry then wins.
    const cli = await runCli(
      'model',
      'merge',
      '--label',
      'race',
      '--namespace',
      'web-a',
      '--nats',
      nats.url,
      ...engineCred()
    );
    assert.ok(cli.code === 0 || cli.code === 1, cli.err);
  });

  test('a canister of the label starts from the merged model on either engine', async () => {
    const merged = (await new BucketLabelStore(stores.labels, stores.objects).get('web'))!;
    const points = merged.points;
    for (const [i, e] of engines.entries()) {
      const c = clients(e.address, e.adminToken);
      try {
        const call = c.control.RunCanister(c.meta);
        const started = new Promise<RunCanisterResponse__Output>((resolve, reject) => {
          call.once('data', resolve);
          call.once('error', reject);
        });
        call.write({
          start: {
            host: `host-${i}`,
            cgroup_id: String(9000 + i),
            label: 'web',
            namespace: `web-on-${i}`,
          },
        });
        const res = await started;
        assert.equal(res.started?.model_source, 'label', JSON.stringify(res));
        const ns = e.registry.get(`web-on-${i}`)!;
        assert.equal(ns.mode, 'sealed');
        assert.equal(ns.validPointCount(), points);
        assert.deepEqual(
          new Set(ns.exportModel().states.map((s) => s.toString('hex'))),
          new Set(Object.keys(merged.provenance!.points))
        );
        assert.equal(ns.untrustedTaskCount?.() ?? 0, 0, 'task trust is per namespace, fresh');
        call.cancel();
      } finally {
        c.close();
      }
    }
  });
});
