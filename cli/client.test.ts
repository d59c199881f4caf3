import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseArgs } from './args.js';
import {
  ClientError,
  CONNECTION_OPTIONS,
  connect,
  describeCallError,
  isReportable,
  resolveToken,
} from './client.js';

const SPEC = {
  name: 't',
  summary: '',
  usage: '',
  positionals: [0, 0] as const,
  options: CONNECTION_OPTIONS,
};
const args = (...argv: string[]) => parseArgs(SPEC, argv);

test('resolveToken: --token-file, then $TSEM_TOKEN, then <data>/admin.token (trimmed), else none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-client-'));
  const A = '127.0.0.1:50551';
  try {
    writeFileSync(join(dir, 'admin.token'), 'from-file\n');
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ address: A, tls: false }));
    writeFileSync(join(dir, 'tok'), 'from-token-file\n');
    const t = async (
      a: ReturnType<typeof args>,
      env: NodeJS.ProcessEnv,
      address = A,
      tls = false
    ) => (await resolveToken(a, address, tls, env)).token;
    assert.equal(
      await t(args('--token-file', join(dir, 'tok'), '--data', dir), { TSEM_TOKEN: 'env' }),
      'from-token-file'
    );
    assert.equal(await t(args('--data', dir), { TSEM_TOKEN: 'env' }), 'env');
    assert.equal(await t(args('--data', dir), { TSEM_TOKEN: '' }), 'from-file');
    assert.equal(await t(args('--data', join(dir, 'absent')), {}), undefined);
    // Without --data, the server's default data dir ($TSEM_DATA_DIR here).
    assert.equal(await t(args(), { TSEM_DATA_DIR: dir }), 'from-file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('credentials stay home: a data-dir token goes only to the server that wrote it; --token is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-client-'));
  try {
    writeFileSync(join(dir, 'admin.token'), 'secret\n');
    writeFileSync(
      join(dir, 'server.json'),
      JSON.stringify({ address: '127.0.0.1:50551', tls: false })
    );
    const foreign = await resolveToken(args('--data', dir), '127.0.0.1:9999', false, {});
    assert.equal(foreign.token, undefined);
    assert.match(
      foreign.withheld!,
      /belongs to the server at 127\.0\.0\.1:50551, not 127\.0\.0\.1:9999/
    );
    assert.equal(
      (await resolveToken(args('--data', dir), 'evil.example:443', true, {})).token,
      undefined
    );
    // A server off loopback without TLS: its token goes only over TLS.
    writeFileSync(
      join(dir, 'server.json'),
      JSON.stringify({ address: '10.0.0.5:50551', tls: false })
    );
    assert.equal(
      (await resolveToken(args('--data', dir), '10.0.0.5:50551', false, {})).token,
      undefined
    );
    assert.equal(
      (await resolveToken(args('--data', dir), '10.0.0.5:50551', true, {})).token,
      'secret'
    );
    // No record (an older server): withheld.
    rmSync(join(dir, 'server.json'));
    assert.equal(
      (await resolveToken(args('--data', dir), '127.0.0.1:50551', false, {})).token,
      undefined
    );
    await assert.rejects(
      resolveToken(args('--token', 'x'), '127.0.0.1:1', false, {}),
      /shows? the token to every user in ps/
    );
    await assert.rejects(
      resolveToken(args(), '10.0.0.5:50551', false, { TSEM_TOKEN: 't' }),
      /refusing to send a bearer token in plain text to 10\.0\.0\.5:50551/
    );
    assert.equal(
      (await resolveToken(args('--insecure'), '10.0.0.5:50551', false, { TSEM_TOKEN: 't' })).token,
      't'
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const grpcError = (code: number, details: string) =>
  Object.assign(new Error(`${code} X: ${details}`), { code, details });

const MESSAGES: Record<string, [unknown, boolean, string]> = {
  UNAVAILABLE: [
    grpcError(
      14,
      'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: '
    ),
    true,
    'cannot connect to a:1: No connection established. last error: connect ECONNREFUSED 127.0.0.1:1. (is `tsem serve` running?)',
  ],
  'UNAUTHENTICATED without a token': [
    grpcError(16, 'authentication required'),
    false,
    "a:1 refused the call: authentication required (no token found: pass --token-file, set TSEM_TOKEN or point --data at the server's data dir)",
  ],
  'UNAUTHENTICATED with a token': [
    grpcError(16, 'the bearer token is not recognised'),
    true,
    'a:1 refused the call: the bearer token is not recognised (the token was not accepted: check --token-file or TSEM_TOKEN)',
  ],
  PERMISSION_DENIED: [
    grpcError(7, "identity 'anonymous' lacks the 'admin' role"),
    false,
    "a:1 denied the call: identity 'anonymous' lacks the 'admin' role (pass a --token-file with the needed role)",
  ],
  NOT_FOUND: [
    grpcError(5, "namespace 'x' not found"),
    true,
    "a:1: NOT_FOUND: namespace 'x' not found",
  ],
  'multi-line details': [
    grpcError(3, 'line one\n  line two'),
    true,
    'a:1: INVALID_ARGUMENT: line one line two',
  ],
  'not a grpc error': [new Error('plain'), true, 'plain'],
};

for (const [name, [err, hasToken, expected]] of Object.entries(MESSAGES)) {
  test(`describeCallError: ${name}`, () =>
    assert.equal(describeCallError(err, 'a:1', hasToken), expected));
}

test('connect: TLS option combinations are checked before dialing', async () => {
  await assert.rejects(
    connect(args('--tls-cert', 'c.pem')),
    /--tls-cert and --tls-key go together/
  );
  await assert.rejects(
    connect(args('--tls-cert', 'c.pem', '--tls-key', 'k.pem')),
    /--tls-cert needs --tls-ca/
  );
  await assert.rejects(
    connect(args('--tls-ca', join(tmpdir(), 'no-such-ca.pem'))),
    (e: unknown) => {
      assert.ok(e instanceof ClientError && isReportable(e));
      assert.match(e.message, /^cannot read --tls-ca file '.*no-such-ca\.pem': ENOENT$/);
      return true;
    }
  );
});
