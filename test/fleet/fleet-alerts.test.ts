/**
 * The fleet's incidents: a pool engine publishes its alert-log records to the outputs stream, and
 * `tsem alerts relay` (a watcher's credential, anywhere) delivers them to a real webhook listener
 * and a real syslog socket, resuming after the last record it acknowledged; a host credential
 * cannot relay.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { natsServerAvailable, type NatsServer, startNatsServer } from '../helpers/nats-server.js';
import { until } from '../helpers/fleet-events.js';
import { runCli } from '../helpers/cli.js';
import { rsyslogMissing, startRsyslog, type Rsyslog } from '../helpers/rsyslog.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const KEY = Buffer.from('a fleet relay secret, 32 bytes!!');
const SECRET = 'whsec_' + KEY.toString('base64');

const skip = !natsServerAvailable()
  ? 'nats-server is not installed (apt-get install nats-server)'
  : rsyslogMissing();

describe('fleet incidents relayed to operator outputs', { skip }, () => {
  let nats: NatsServer;
  let engine: RunningEngine;
  let hook: WebhookReceiver;
  let syslog: Rsyslog;
  let dir: string;
  const host = (h: string) => ['--nats-user', h, '--nats-password-file', nats.host(h).passwordFile];
  const watcher = () => [
    '--nats-user',
    'watcher',
    '--nats-password-file',
    nats.watcher.passwordFile,
  ];

  before(async () => {
    nats = await startNatsServer(['host-a']);
    hook = await startWebhookReceiver(KEY);
    syslog = await startRsyslog();
    dir = mkdtempSync(join(tmpdir(), 'tsem-fleet-alerts-'));
    engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      log: () => undefined,
      loopStallMs: 0,
      alerts: { quietMs: 1000, sweepMs: 100, backoff: { initialMs: 100, maxMs: 400 } },
      fleet: {
        nats: { url: nats.url, ...nats.engine },
        pool: { engineId: 'e1', leaseMs: 1500, heartbeatMs: 300, snapshotMs: 300 },
      },
    });
    process.env.TSEM_TEST_RELAY_HOOK = SECRET;
  });
  after(async () => {
    await engine?.stop().catch(() => undefined);
    await hook?.close();
    await syslog?.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const exportSim = (scenario: string, seed: string) =>
    runCli(
      'export',
      '--source',
      'sim',
      '--scenario',
      scenario,
      '--seed',
      seed,
      '--namespace',
      'web',
      '--host',
      'host-a',
      '--nats',
      nats.url,
      ...host('host-a')
    );

  /** An attack after training: applied by the pool, its incident opened and (quiet) closed. */
  async function attack(seed: string): Promise<void> {
    const before = engine.alerts.recordCounts.close;
    const r = await exportSim('reverse-shell', seed);
    assert.equal(r.code, 0, r.err);
    await until('the incident closed', () => engine.alerts.recordCounts.close > before, 20_000);
  }

  const relay = (...more: string[]) =>
    runCli(
      'alerts',
      'relay',
      '--nats',
      nats.url,
      ...watcher(),
      '--alert',
      `webhook:${hook.url}/fleet;secret-env=TSEM_TEST_RELAY_HOOK`,
      '--alert',
      `syslog:unix:${syslog.socket}`,
      '--json',
      ...more
    );

  test('an incident of a pool engine reaches a webhook and syslog through the relay', async () => {
    const trained = await exportSim('nginx', '1');
    assert.equal(trained.code, 0, trained.err);
    await until('training applied', () => (engine.registry.get('web')?.pointCount ?? 0) > 0);
    const sealed = await runCli(
      'ns',
      'mode',
      'web',
      'sealed',
      '--server',
      engine.address,
      '--data',
      engine.dataDir
    );
    assert.equal(sealed.code, 0, sealed.err);
    await attack('1');
    const fleetOut = engine.alerts.deliverers.find((d) => d.name === 'fleet:incidents');
    assert.ok(fleetOut, 'the fleet is one of the engine alert outputs');
    await until('published to the fleet', () => fleetOut.stats.delivered >= 2);

    const r = await relay('--from-start', '--count', '2');
    assert.equal(r.code, 0, r.err);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; version: number; activity: string; host: string });
    assert.deepEqual(
      lines.map((l) => [l.activity, l.host]),
      [
        ['open', 'host-a'],
        ['close', 'host-a'],
      ]
    );
    const id = lines[0]!.id;
    assert.equal(lines[1]!.id, id, 'one incident');
    await hook.waitFor(2);
    for (const d of hook.deliveries) assert.ok(d.signatureValid, 'signed with the relay secret');
    assert.deepEqual(
      hook.deliveries.map((d) => d.headers['webhook-id']),
      lines.map((l) => `${id}.${l.version}`)
    );
    const body = JSON.parse(hook.deliveries[0]!.body) as { incident: { namespace: string } };
    assert.equal(body.incident.namespace, 'web');
    await until('syslog lines', () => syslog.lines().filter((l) => l.msg.includes(id)).length >= 2);
  });

  test('a relay resumes after the last record it acknowledged', async () => {
    const before = hook.deliveries.length;
    await attack('2');
    const r = await relay('--count', '1');
    assert.equal(r.code, 0, r.err);
    const first = JSON.parse(r.out.trim()) as { id: string; activity: string };
    assert.equal(first.activity, 'open', 'the new incident, not the ones already relayed');
    const earlier = new Set(
      hook.deliveries.slice(0, before).map((d) => String(d.headers['webhook-id']).split('.')[0])
    );
    assert.ok(!earlier.has(first.id), 'a new incident');
    await hook.waitFor(before + 1);
    assert.equal(hook.deliveries.length, before + 1, 'nothing relayed twice');
  });

  test('a host credential cannot relay the fleet incidents', async () => {
    const r = await runCli(
      'alerts',
      'relay',
      '--nats',
      nats.url,
      ...host('host-a'),
      '--alert',
      `syslog:unix:${syslog.socket}`,
      '--count',
      '1'
    );
    assert.equal(r.code, 77, r.err);
  });
});
