/**
 * The fleet's connections with TLS and credentials: a host that signs with its nkey (no secret
 * on the wire) exports over TLS into an engine that logs in with a password over TLS; a client
 * without the server's CA is refused; a password is never sent in plain text off loopback.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createUser } from '@nats-io/nkeys';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { connectionOptions } from '../../fleet/nats/connect.js';
import { natsServerAvailable, type NatsServer, startNatsServer } from '../helpers/nats-server.js';
import { LOOPBACK_SERVER, makeCa, makeLeaf } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { until } from '../helpers/fleet-events.js';

const skip = natsServerAvailable() ? false : 'nats-server is not installed';

describe('fleet connections with TLS, nkeys and passwords', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-fleet-tls-'));
  const f = (name: string) => join(dir, name);
  let nats: NatsServer;
  let engine: RunningEngine;

  before(async () => {
    makeCa(dir, 'tsem-nats-ca');
    makeLeaf(dir, 'server', 'nats', LOOPBACK_SERVER);
    const host = createUser();
    writeFileSync(f('host-a.nk'), new TextDecoder().decode(host.getSeed()), { mode: 0o600 });
    nats = await startNatsServer(['host-a'], {
      tls: { certFile: f('server.pem'), keyFile: f('server.key') },
      nkeys: { 'host-a': host.getPublicKey() },
    });
    engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: f('engine'),
      log: () => undefined,
      loopStallMs: 0,
      fleet: {
        nats: { url: nats.url, caFile: f('ca.pem'), ...nats.engine },
        pool: { engineId: 'tls-engine', leaseMs: 1500, heartbeatMs: 300, snapshotMs: 300 },
      },
    });
  });
  after(async () => {
    await engine?.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a host exports over TLS with its nkey; without the CA it is refused', async () => {
    const base = [
      'export',
      '--source',
      'sim',
      '--scenario',
      'nginx',
      '--namespace',
      'tls-ns',
      '--host',
      'host-a',
      '--nats',
      nats.url,
      '--nats-nkey',
      f('host-a.nk'),
    ];
    const ok = await runCli(...base, '--nats-ca', f('ca.pem'));
    assert.equal(ok.code, 0, ok.err);
    const m = /^sent (\d+) acked (\d+) /m.exec(ok.out);
    assert.ok(m && m[1] === m[2], ok.out);
    await until('tls-ns applied', () => engine.registry.get('tls-ns')?.eventCount === Number(m[1]));
    const noCa = await runCli(...base);
    assert.equal(noCa.code, 69, noCa.err);
    const otherHost = await runCli(
      ...base.map((a) => (a === 'host-a' ? 'host-b' : a)),
      '--nats-ca',
      f('ca.pem')
    );
    assert.equal(otherHost.code, 77, otherHost.err);
  });

  test('a password is never sent in plain text off loopback', () => {
    writeFileSync(f('pw'), 'secret');
    const opts = { user: 'engine', passwordFile: f('pw') };
    assert.throws(() => connectionOptions({ url: 'nats://192.0.2.1:4222', ...opts }), /plain text/);
    assert.doesNotThrow(() => connectionOptions({ url: 'nats://127.0.0.1:4222', ...opts }));
    assert.doesNotThrow(() =>
      connectionOptions({ url: 'nats://192.0.2.1:4222', caFile: f('ca.pem'), ...opts })
    );
    assert.throws(() => connectionOptions({ url: 'http://x', ...opts }), /expects nats:\/\//);
  });
});
