/** The client's TLS options against an engine serving TLS with client certificates (mTLS). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-cli-tls-'));
const f = (name: string) => join(dir, name);
let engine: RunningEngine;

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  const ossl = (...a: string[]): void => void execFileSync('openssl', a, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ossl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=tsem-test-ca'
  );
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  writeFileSync(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    ossl(
      'req',
      ...ec,
      '-keyout',
      f(`${who}.key`),
      '-out',
      f(`${who}.csr`),
      '-subj',
      `/CN=tsem-${who}`
    );
    ossl(
      'x509',
      '-req',
      '-in',
      f(`${who}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${who}.pem`),
      '-days',
      '2',
      '-extfile',
      f(`${who}.ext`)
    );
  }
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
