/**
 * NATS client certificates as the fleet's credentials: the server verifies every client's
 * certificate against its CA and maps its subject to a user (verify_and_map), so an engine and a
 * host log in with a certificate and no secret at all; the host's certificate is scoped to its
 * own subjects, and a client without a certificate, or with one another CA signed, is refused.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { natsServerAvailable, type NatsServer, startNatsServer } from '../helpers/nats-server.js';
import { LOOPBACK_SERVER, makeCa, makeLeaf } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { until } from '../helpers/fleet-events.js';

const skip = natsServerAvailable() ? false : 'nats-server is not installed';
const CLIENT = 'extendedKeyUsage=clientAuth';

describe('fleet connections with client certificates (verify and map)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-fleet-mtls-'));
  const other = join(dir, 'other');
  const f = (name: string) => join(dir, name);
  let nats: NatsServer;
  let engine: RunningEngine;

  before(async () => {
    makeCa(dir, 'tsem-nats-ca');
    makeLeaf(dir, 'server', 'nats', LOOPBACK_SERVER);
    makeLeaf(dir, 'engine', 'engine', CLIENT);
    makeLeaf(dir, 'host-a', 'host-a', CLIENT);
    // The same name from a CA the server does not trust.
    mkdirSync(other);
    makeCa(other, 'another-ca');
    makeLeaf(other, 'host-a', 'host-a', CLIENT);
    nats = await startNatsServer(['host-a'], {
      tls: { certFile: f('server.pem'), keyFile: f('server.key'), clientCa: f('ca.pem') },
    });
    engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: f('engine-data'),
      log: () => undefined,
      loopStallMs: 0,
      fleet: {
        nats: {
          url: nats.url,
          caFile: f('ca.pem'),
          certFile: f('engine.pem'),
          keyFile: f('engine.key'),
        },
        pool: { engineId: 'mtls-engine', leaseMs: 1500, heartbeatMs: 300, snapshotMs: 300 },
      },
    });
  });
  after(async () => {
    await engine?.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const exportAs = (host: string, ...tls: string[]) =>
    runCli(
      'export',
      '--source',
      'sim',
      '--scenario',
      'nginx',
      '--namespace',
      'mtls-ns',
      '--host',
      host,
      '--nats',
      nats.url,
      '--nats-ca',
      f('ca.pem'),
      ...tls
    );

  test("a host's certificate is its credential, scoped to its own subjects", async () => {
    const cert = ['--nats-cert', f('host-a.pem'), '--nats-key', f('host-a.key')];
    const ok = await exportAs('host-a', ...cert);
    assert.equal(ok.code, 0, ok.err);
    const m = /^sent (\d+) acked (\d+) /m.exec(ok.out);
    assert.ok(m && m[1] === m[2] && Number(m[1]) > 0, ok.out);
    await until(
      'mtls-ns applied by the engine (logged in with its certificate)',
      () => engine.registry.get('mtls-ns')?.eventCount === Number(m[1])
    );
    const asOther = await exportAs('host-b', ...cert);
    assert.equal(asOther.code, 77, asOther.err);
  });

  test('without a certificate, or with one from another CA, the server refuses', async () => {
    const none = await exportAs('host-a');
    // The server ends the TLS handshake: the client cannot connect at all (69).
    assert.equal(none.code, 69, none.err);
    assert.match(none.err, /cannot connect to NATS/);
    const foreign = await exportAs(
      'host-a',
      '--nats-cert',
      join(other, 'host-a.pem'),
      '--nats-key',
      join(other, 'host-a.key')
    );
    assert.equal(foreign.code, 69, foreign.err);
    assert.match(foreign.err, /cannot connect to NATS/);
  });
});
