/**
 * Per-namespace IMA administration over the Control API and CLI (docs/ima.md §9.1, §9.2, §9.4):
 * a namespace policy set with `tsem ima policy set` applies from the next event and survives a
 * restart; a rule switching off a host rule is refused naming both rules; only admins (an admin
 * limited to the namespace will do) may set it; keyrings are kept per namespace across restarts;
 * the host log is served (`tsem ima log --host`) and replays to its PCR 10.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { parseAsciiList } from '../../engine/ima/measurement-list-ascii.js';
import { verifyList } from '../../engine/ima/pcr-replay.js';
import { tokenDigest } from '../../engine/server/auth.js';
import type { Event } from '../../proto/gen/tsem/v1/Event.js';
import { runCli, tokenFile } from '../helpers/cli.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { call, type Clients, clients, ingest, toWire } from '../helpers/grpc.js';

const HOST_POLICY = 'measure func=BPRM_CHECK mask=MAY_EXEC\nappraise func=MODULE_CHECK\n';
const READ = '32768';
const EXEC = '32800';
const dir = mkdtempSync(join(tmpdir(), 'tsem-ima-admin-'));
const WEB_TOKEN = 'web-admin-token';
const VIEW_TOKEN = 'viewer-token';
let engine: RunningEngine | undefined;
let admin: Clients;

const digest = (s: string) => createHash('sha256').update(s).digest('hex');
function open(ns: string, path: string, flags: string, pid: number): Event {
  return toWire(ns, sourceEvent(pid, 'file_open', { file: fileCell(path, digest(path), flags) }));
}

async function start(): Promise<RunningEngine> {
  const e = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    log: () => undefined,
    authFile: join(dir, 'auth.json'),
    ima: { policy: HOST_POLICY, policySource: 'host.policy', localFiles: false },
  });
  admin = clients(e.address, e.adminToken);
  return e;
}

const cli = (...args: string[]) =>
  runCli(...args, '--server', engine!.address, '--token-file', tokenFile(engine!.adminToken));
const names = async (ns: string) =>
  parseAsciiList(
    (await call<{ log: Buffer }>(admin, 'GetImaLog', { name: ns, bank: 'sha256' })).log.toString(),
    32
  ).map((e) => e.fields[1]!.toString('utf8').replace(/\0$/, ''));

before(async () => {
  writeFileSync(
    join(dir, 'auth.json'),
    JSON.stringify({
      identities: [
        {
          name: 'web-ops',
          token_sha256: tokenDigest(WEB_TOKEN),
          roles: ['admin'],
          namespaces: ['web'],
        },
        { name: 'watcher', token_sha256: tokenDigest(VIEW_TOKEN), roles: ['viewer'] },
      ],
    })
  );
  engine = await start();
  for (const name of ['web', 'db']) await call(admin, 'CreateNamespace', { name });
});

after(async () => {
  admin?.close();
  await engine?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a namespace policy set over the CLI applies from the next event; the host rules stay', async () => {
  await ingest(admin, [[open('web', '/srv/before', READ, 10), open('web', '/bin/ls', EXEC, 11)]]);
  assert.deepEqual(await names('web'), ['/bin/ls'], 'the default policy measures execs only');

  writeFileSync(join(dir, 'web.policy'), '# reads too\nmeasure func=FILE_CHECK mask=^MAY_READ\n');
  const set = await cli('ima', 'policy', 'set', '--namespace', 'web', join(dir, 'web.policy'));
  assert.deepEqual([set.code, set.out, set.err], [0, 'namespace web: policy set, 1 rule(s)\n', '']);
  await ingest(admin, [[open('web', '/srv/after', READ, 12), open('web', '/bin/cat', EXEC, 13)]]);
  // Reads are now measured in web's own log; execs still by the host (its log names web).
  assert.deepEqual(await names('web'), ['/bin/ls', '/srv/after']);
  const host = await cli('ima', 'log', '--host', '--bank', 'sha256');
  assert.equal(host.code, 0, host.err);
  const entries = parseAsciiList(host.out, 32);
  assert.deepEqual(
    entries.map((e) => [e.templateName, e.fields[1]!.toString('utf8')]),
    [
      ['ima-ng', 'boot_aggregate\0'],
      ['ima-ns', '/bin/ls\0'],
      ['ima-ns', '/bin/cat\0'],
    ]
  );
  const pcr10 = /pcr10 sha256 ([0-9a-f]{64})/.exec(host.err)![1];
  assert.equal(
    verifyList(entries, 'sha256', ['sha256']).pcrs.get('sha256', 10).toString('hex'),
    pcr10
  );

  const shown = await cli('ima', 'policy', 'show', '--namespace', 'web', '--json');
  const j = JSON.parse(shown.out) as Record<string, unknown>;
  assert.deepEqual(
    [j['source'], j['rules'], j['set_by'], j['policy']],
    ['api', 1, 'admin', '# reads too\nmeasure func=FILE_CHECK mask=^MAY_READ\n']
  );
  const db = await cli('ima', 'policy', 'show', '--namespace', 'db');
  assert.equal(db.out, HOST_POLICY);
  assert.match(db.err, /namespace db: 2 rule\(s\), source default/);
  const hostPolicy = await cli('ima', 'policy', 'show', '--host');
  assert.match(hostPolicy.err, /^host: 2 rule\(s\), source host\.policy/);
});

test('a rule that would switch off a host rule is refused, naming both; the policy stays', async () => {
  writeFileSync(
    join(dir, 'bad.policy'),
    'measure func=FILE_CHECK\ndont_measure fsmagic=0xef53\ndont_appraise func=MODULE_CHECK\n'
  );
  const r = await cli('ima', 'policy', 'set', '--namespace', 'web', join(dir, 'bad.policy'));
  assert.equal(r.code, 65, r.err);
  assert.match(
    r.err,
    /namespace policy line 2 'dont_measure fsmagic=0xef53' would switch off host policy line 1 'measure func=BPRM_CHECK mask=MAY_EXEC'.*\(and 1 more such rule\(s\)\)/
  );
  writeFileSync(join(dir, 'typo.policy'), 'measure func=FILE_CHECK\ndnt_measure uid=0\n');
  const typo = await cli('ima', 'policy', 'set', '--namespace', 'web', join(dir, 'typo.policy'));
  assert.equal(typo.code, 65);
  assert.match(typo.err, /policy line 2: 'dnt_measure': unknown keyword/);
  const missing = await cli('ima', 'policy', 'set', '--namespace', 'web', join(dir, 'nope'));
  assert.equal(missing.code, 74);
  assert.match(missing.err, /cannot read policy file '.*nope': ENOENT/);
  const still = await cli('ima', 'policy', 'show', '--namespace', 'web');
  assert.equal(still.out, '# reads too\nmeasure func=FILE_CHECK mask=^MAY_READ\n');
});

test('only admins set policies; an admin limited to a namespace only there', async () => {
  const file = join(dir, 'web.policy');
  const as = (token: string, ns: string) =>
    runCli(
      'ima',
      'policy',
      'set',
      '--namespace',
      ns,
      file,
      '--server',
      engine!.address,
      '--token-file',
      tokenFile(token)
    );
  assert.equal((await as(WEB_TOKEN, 'web')).code, 0);
  const other = await as(WEB_TOKEN, 'db');
  assert.equal(other.code, 77);
  assert.match(other.err, /identity 'web-ops' may not access namespace 'db'/);
  const viewer = await as(VIEW_TOKEN, 'web');
  assert.equal(viewer.code, 77);
  assert.match(viewer.err, /lacks the 'admin' role/);
  const limitedHost = await runCli(
    'ima',
    'log',
    '--host',
    '--server',
    engine!.address,
    '--token-file',
    tokenFile(WEB_TOKEN)
  );
  assert.equal(limitedHost.code, 77);
  assert.match(limitedHost.err, /limited to some namespaces and may not read the host IMA log/);
});

test('keyrings per namespace: added, listed, removed; the first key gives the namespace its own', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  writeFileSync(join(dir, 'rsa.pub'), rsa.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'ec.der'), ec.export({ type: 'spki', format: 'der' }));
  const before = await cli('ima', 'key', 'list', '--namespace', 'web');
  assert.equal(before.out, '');
  assert.match(before.err, /0 key\(s\) \(no keyring of its own: the server's default keys\)/);
  const added = await cli(
    'ima',
    'key',
    'add',
    '--namespace',
    'web',
    join(dir, 'rsa.pub'),
    join(dir, 'ec.der')
  );
  assert.equal(added.code, 0, added.err);
  const lines = added.out.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.ok(
    lines.some((l) => / rsa 2048 bits /.test(l)) && lines.some((l) => / ec P-256 /.test(l))
  );
  const bad = await cli('ima', 'key', 'add', '--namespace', 'web', join(dir, 'web.policy'));
  assert.equal(bad.code, 65);
  assert.match(
    bad.err,
    /IMA key: .*web.policy: expected a PEM or DER X.509 certificate or public key/
  );
  const ecId = lines.find((l) => / ec /.test(l))!.slice(0, 8);
  const removed = await cli('ima', 'key', 'remove', '--namespace', 'web', ecId, '--json');
  assert.equal(removed.code, 0, removed.err);
  const objs = removed.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(objs.at(-1), { namespace: 'web', own: true, keys: 1 });
  const again = await cli('ima', 'key', 'remove', '--namespace', 'web', ecId);
  assert.equal(again.code, 65); // no such key: the engine refused the request (as an unknown namespace)
  assert.match(again.err, new RegExp(`namespace web has no key ${ecId} of its own`));
});

test('after a restart the policy and keyring come back and the policy still applies', async () => {
  admin.close();
  await engine!.stop();
  engine = await start();
  const shown = await cli('ima', 'policy', 'show', '--namespace', 'web');
  assert.equal(shown.out, '# reads too\nmeasure func=FILE_CHECK mask=^MAY_READ\n');
  assert.match(shown.err, /source api by web-ops/);
  const keys = await cli('ima', 'key', 'list', '--namespace', 'web');
  assert.match(keys.out, /^[0-9a-f]{8} {2}rsa 2048 bits {2}.*rsa\.pub {2}sha256:[0-9a-f]{64}\n$/);
  await ingest(admin, [[open('web', '/srv/after-restart', READ, 20)]]);
  assert.deepEqual(await names('web'), ['/bin/ls', '/srv/after', '/srv/after-restart']);
  // A deleted namespace forgets its IMA configuration: recreated, it starts from the defaults.
  await call(admin, 'DeleteNamespace', { name: 'web' });
  await call(admin, 'CreateNamespace', { name: 'web' });
  const fresh = await cli('ima', 'policy', 'show', '--namespace', 'web');
  assert.match(fresh.err, /source default/);
});
