import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AuthConfig,
  authenticate,
  authorizeHost,
  parseAuthFile,
  tokenDigest,
} from './auth.js';

const base: AuthConfig = {
  tokens: new Map(),
  certs: new Map(),
  anonymous: { name: 'anonymous', roles: new Set(['exporter', 'viewer']) },
};
const T = tokenDigest('t');

test('an identities file without "anonymous" gives anonymous callers nothing', () => {
  const cfg = parseAuthFile(
    JSON.stringify({ identities: [{ name: 'ops', token_sha256: T, roles: ['admin'] }] }),
    'ids.json',
    base
  );
  assert.equal(cfg.anonymous, undefined);
  assert.throws(() => authenticate(cfg, {}), { code: 'TSEM_UNAUTHENTICATED' });
  assert.equal(authenticate(cfg, { token: 't' }).name, 'ops');
  const granted = parseAuthFile(
    JSON.stringify({
      identities: [],
      anonymous: { roles: ['viewer'], namespaces: ['public'] },
    }),
    'ids.json',
    base
  );
  assert.deepEqual([...granted.anonymous!.roles], ['viewer']);
  assert.deepEqual([...granted.anonymous!.namespaces!], ['public']);
});

test('identities files: repeated keys and malformed entries are refused with where', () => {
  assert.throws(
    () =>
      parseAuthFile(
        '{"identities": [], "anonymous": null, "anonymous": {"roles": ["admin"]}}',
        'f',
        base
      ),
    /f: expected JSON \(duplicate key "anonymous"/
  );
  assert.throws(
    () => parseAuthFile('{"identities": [7]}', 'f', base),
    /identities\[0\]: expected an object/
  );
  assert.throws(() => parseAuthFile('[]', 'f', base), /expected/);
  assert.throws(
    () =>
      parseAuthFile(JSON.stringify({ identities: [{ cert_cn: 'x', roles: ['root'] }] }), 'f', base),
    /identities\[0\]\.roles/
  );
});

test('an exporter identity may only claim its own host (hosts, else its certificate name or name)', () => {
  const cfg = parseAuthFile(
    JSON.stringify({
      identities: [
        { name: 'node-a', token_sha256: T, roles: ['exporter'] },
        { name: 'b', cert_cn: 'node-b', roles: ['exporter'] },
        { name: 'relay', cert_cn: 'relay', roles: ['exporter'], hosts: ['*'] },
        { name: 'pair', cert_cn: 'pair', roles: ['exporter'], hosts: ['n1', 'n2'] },
      ],
    }),
    'f',
    base
  );
  const a = authenticate(cfg, { token: 't' });
  authorizeHost(a, 'node-a');
  assert.throws(() => authorizeHost(a, 'node-b'), { code: 'TSEM_PERMISSION' });
  const b = authenticate(cfg, { certCommonName: 'node-b' });
  authorizeHost(b, 'node-b');
  assert.throws(() => authorizeHost(b, 'node-a\n'), /host 'node-a\\n'/);
  authorizeHost(authenticate(cfg, { certCommonName: 'relay' }), 'anything');
  const pair = authenticate(cfg, { certCommonName: 'pair' });
  authorizeHost(pair, 'n2');
  assert.throws(() => authorizeHost(pair, 'pair'));
});
