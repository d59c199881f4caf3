/**
 * A host's own engine in a fleet (`serve --nats --no-pool`): it decides locally (the exporter gets
 * its verdicts), and publishes its verdicts, incidents and namespace models as its host with a
 * host credential, which can publish as no other host; the promoted model is read back from the
 * fleet's labels.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { connectNats } from '../../fleet/nats/connect.js';
import { hostInbox } from '../../fleet/nats/names.js';
import { ensureFleet, type FleetStores } from '../../fleet/nats/setup.js';
import { natsServerAvailable, type NatsServer, startNatsServer } from '../helpers/nats-server.js';
import { until } from '../helpers/fleet-events.js';
import { runCli } from '../helpers/cli.js';

const skip = natsServerAvailable()
  ? false
  : 'nats-server is not installed (apt-get install nats-server)';

describe("a host's own engine publishes to the fleet", { skip }, () => {
  let nats: NatsServer;
  let admin: NatsConnection;
  let stores: FleetStores;
  let engine: RunningEngine;
  let dir: string;
  const cred = (u: { user: string; passwordFile: string }) => [
    '--nats-user',
    u.user,
    '--nats-password-file',
    u.passwordFile,
  ];

  before(async () => {
    nats = await startNatsServer(['host-a', 'host-b']);
    admin = await connectNats({ url: nats.url, ...nats.engine });
    stores = await ensureFleet(admin);
    dir = mkdtempSync(join(tmpdir(), 'tsem-host-publish-'));
    engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      log: () => undefined,
      loopStallMs: 0,
      alerts: { quietMs: 1000, sweepMs: 100, backoff: { initialMs: 100, maxMs: 400 } },
      fleet: {
        nats: { url: nats.url, ...nats.host('host-a') },
        publish: { host: 'host-a', modelsMs: 200 },
      },
    });
  });
  after(async () => {
    await engine?.stop().catch(() => undefined);
    await admin?.close();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const local = (...args: string[]) =>
    runCli(...args, '--server', engine.address, '--data', engine.dataDir);

  test('decisions are local; verdicts, incidents and the model reach the fleet as host-a', async () => {
    const sim = ['export', '--source', 'sim', '--namespace', 'web', '--scenario'];
    assert.equal((await local(...sim, 'nginx')).code, 0);
    assert.equal((await local('ns', 'mode', 'web', 'sealed')).code, 0);
    const attack = await local(...sim, 'reverse-shell');
    assert.equal(attack.code, 1, 'the local engine answered: off-contour events found');
    assert.match(attack.out, /off-contour [1-9]/);

    const watched = await runCli(
      'watch',
      '--nats',
      nats.url,
      ...cred(nats.watcher),
      '--namespace',
      'web',
      '--off-contour',
      '--from-start',
      '--count',
      '1',
      '--json'
    );
    assert.equal(watched.code, 0, watched.err);
    const n = JSON.parse(watched.out) as { namespace: string; host: string };
    assert.deepEqual([n.namespace, n.host], ['web', 'host-a']);

    const file = join(dir, 'relayed.jsonl');
    const relayed = await runCli(
      'alerts',
      'relay',
      '--nats',
      nats.url,
      ...cred(nats.watcher),
      '--namespace',
      'web',
      '--alert',
      `file:${file}`,
      '--from-start',
      '--count',
      '1'
    );
    assert.equal(relayed.code, 0, relayed.err);
    const rec = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as {
      activity: string;
      incident: { host: string; namespace: string };
    };
    assert.deepEqual(
      [rec.activity, rec.incident.namespace, rec.incident.host],
      ['open', 'web', 'host-a']
    );

    const ns = engine.registry.get('web')!;
    await until('the model published', async () => {
      const e = await stores.hostModels.get('host-a.web');
      return e?.operation === 'PUT' && e.json<{ events: number }>().events === ns.eventCount;
    });
    const merged = await runCli(
      'model',
      'merge',
      '--label',
      'web',
      '--namespace',
      'host-a/web',
      '--nats',
      nats.url,
      ...cred(nats.engine),
      '--json'
    );
    assert.ok(merged.code === 0 || merged.code === 1, merged.err);
    const summary = (
      JSON.parse(merged.out.trim().split('\n').at(-1)!) as {
        summary: { points: number; sealed: boolean };
      }
    ).summary;
    assert.equal(summary.points, ns.validPointCount());
    assert.equal(summary.sealed, true);
    // The host's engine reads the fleet's labels: the promoted model is there.
    const listed = await local('label', 'list', '--json');
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, /"label":"web"/);
  });

  test('a host credential publishes outputs and models as its own host only', async () => {
    const nc = await connectNats({
      url: nats.url,
      ...nats.host('host-a'),
      inboxPrefix: hostInbox('host-a'),
    });
    try {
      const js = jetstream(nc);
      const refused = async (subject: string) =>
        assert.rejects(js.publish(subject, '{}', { timeout: 2000 }), Error, subject);
      await refused('tsem.out.web.v.host-b');
      await refused('tsem.out.web.i.host-b');
      await refused('tsem.out.web.v.=pool');
      await refused('$KV.tsem-host-models.host-b.web');
      await refused('$KV.tsem-labels.web');
      // What it may publish is attributed to it, whatever the notice says.
      await js.publish(
        'tsem.out.spoof.v.host-a',
        JSON.stringify({ namespace: 'spoof', host: 'host-b', type: 'file_open', alert: true })
      );
    } finally {
      await nc.close();
    }
    const watched = await runCli(
      'watch',
      '--nats',
      nats.url,
      ...cred(nats.watcher),
      '--namespace',
      'spoof',
      '--from-start',
      '--count',
      '1',
      '--json'
    );
    assert.equal(watched.code, 0, watched.err);
    assert.equal((JSON.parse(watched.out) as { host: string }).host, 'host-a');
  });
});
