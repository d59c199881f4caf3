/** The client's TLS options against an engine serving TLS with client certificates (mTLS). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { LOOPBACK_SERVER, makeCa, makeLeaf } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-cli-tls-'));
const f = (name: string) => join(dir, name);
let engine: RunningEngine;

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  makeCa(dir, 'tsem-test-ca');
  makeLeaf(dir, 'server', 'tsem-server', LOOPBACK_SERVER);
  makeLeaf(dir, 'client', 'tsem-client', 'extendedKeyUsage=clientAuth');
}

before(async () => {
  makeCertificates();
  engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: f('data'),
    log: () => undefined,
    tls: { cert: f('server.pem'), key: f('server.key'), clientCa: f('ca.pem') },
  });
});
after(async () => {
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('--tls-ca with a client certificate reaches the engine (token from --data)', async () => {
  const r = await runCli(
    'ns',
    'create',
    'secure',
    '--server',
    engine.address,
    '--data',
    f('data'),
    '--tls-ca',
    f('ca.pem'),
    '--tls-cert',
    f('client.pem'),
    '--tls-key',
    f('client.key')
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^name\s+secure$/m);
});

test('without a client certificate, or without TLS, the call fails in one line', async () => {
  for (const extra of [['--tls-ca', f('ca.pem')], []]) {
    const r = await runCli('ns', 'list', '--server', engine.address, '--data', f('data'), ...extra);
    assert.equal(r.code, 69, r.out);
    assert.match(r.err, /^tsem ns list: cannot connect to 127\.0\.0\.1:\d+: .*\n$/);
  }
});
