/**
 * Operator surfaces of a running engine: Prometheus metrics that move, grpc.health.v1 SERVING on
 * the gRPC port, the version on the CLI and over RPC, the HTTP listener's authentication, and
 * untrusted tasks listed, explained and released by an admin (not by a viewer), recorded.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProto } from 'grpc-health-check';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { runCli } from '../helpers/cli.js';

const VIEWER = 'viewer-token-for-tests';
const ADMIN = 'second-admin-token';
const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const pkgVersion = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

let dir: string;
let e: RunningEngine;
const logs: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsem-ops-e2e-'));
  const auth = join(dir, 'auth.json');
  writeFileSync(
    auth,
    JSON.stringify({
      identities: [
        { name: 'watcher', token_sha256: sha(VIEWER), roles: ['viewer'] },
        { name: 'ops-alice', token_sha256: sha(ADMIN), roles: ['admin'] },
        // An exporter speaks for its own host only: this one's host is this machine.
        { name: 'feeder', token_sha256: sha('feeder'), roles: ['exporter'], hosts: [hostname()] },
      ],
      anonymous: null,
    })
  );
  e = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    http: '127.0.0.1:0',
    authFile: auth,
    log: (m) => logs.push(m),
  });
});
after(async () => {
  await e?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A token goes on the command line as a file (a --token value would show in ps). */
function tokenFile(token: string): string {
  const f = join(dir, `token-${sha(token).slice(0, 8)}`);
  writeFileSync(f, token, { mode: 0o600 });
  return f;
}
const conn = (token: string) => ['--server', e.address, '--token-file', tokenFile(token)];

async function scrape(token?: string): Promise<Response> {
  return fetch(`http://${e.httpAddress}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

function metric(text: string, line: string): number {
  const m = new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

test('tsem --version prints the package version (GNU form); the version RPC answers', async () => {
  const r = await runCli('--version');
  assert.equal(r.code, 0);
  assert.equal(r.out, `tsem (tsem-engine) ${pkgVersion}\n`);
  const s = await runCli('version', ...conn(VIEWER));
  assert.equal(s.code, 0, s.err);
  assert.match(
    s.out,
    new RegExp(
      `server ${e.address}: tsem-engine ${pkgVersion.replace(/\./g, '\\.')} \\(node .*, store format \\d+\\)`
    )
  );
});

test('grpc.health.v1 answers SERVING on the gRPC port, for the server and each service', async () => {
  const def = protoLoader.loadSync(healthProto, { keepCase: true, longs: String, enums: String });
  type HealthClient = grpc.Client & {
    Check(
      req: { service: string },
      opts: grpc.CallOptions,
      cb: (err: grpc.ServiceError | null, res?: { status: string }) => void
    ): void;
  };
  const Health = (
    grpc.loadPackageDefinition(def) as unknown as {
      grpc: {
        health: { v1: { Health: new (a: string, c: grpc.ChannelCredentials) => HealthClient } };
      };
    }
  ).grpc.health.v1.Health;
  const client = new Health(e.address, grpc.credentials.createInsecure());
  const check = (service: string) =>
    new Promise<string>((resolve, reject) =>
      client.Check({ service }, { deadline: Date.now() + 5000 }, (err, res) =>
        err ? reject(err) : resolve(res!.status)
      )
    );
  try {
    for (const s of ['', 'tsem.v1.Ingest', 'tsem.v1.Control', 'tsem.v1.Operations'])
      assert.equal(await check(s), 'SERVING', s);
    await assert.rejects(
      check('no.such.Service'),
      (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND
    );
  } finally {
    client.close();
  }
});

test('HTTP: same auth as gRPC; metrics move with ingest; health is public', async () => {
  assert.equal((await scrape()).status, 401, 'anonymous refused (the auth file says so)');
  assert.equal((await scrape('wrong')).status, 401);
  assert.equal((await scrape('feeder')).status, 403, 'an exporter is not a viewer');
  const before = await scrape(VIEWER);
  assert.equal(before.status, 200);
  assert.match(before.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const t0 = await before.text();
  assert.equal(
    metric(t0, `tsem_build_info{version="${pkgVersion}",node="${process.versions.node}"}`),
    1
  );
  assert.match(t0, /^process_resident_memory_bytes \d+/m);
  const health = await fetch(`http://${e.httpAddress}/healthz`);
  assert.equal(health.status, 200);
  assert.equal((await fetch(`http://${e.httpAddress}/nothing`)).status, 404);
  assert.equal((await fetch(`http://${e.httpAddress}/metrics`, { method: 'POST' })).status, 405);

  const out = await runCli(
    'export',
    '--source',
    'sim',
    '--scenario',
    'nginx',
    '--to',
    e.address,
    '--namespace',
    'web',
    '--token-file',
    tokenFile('feeder')
  );
  assert.equal(out.code, 0, out.err);
  const t1 = await (await scrape(ADMIN)).text();
  const learned = metric(t1, 'tsem_verdicts_total{namespace="web",kind="learned",action="allow"}');
  assert.ok(learned > 0, 'learned verdicts counted');
  assert.equal(metric(t1, 'tsem_events_total{namespace="web"}'), 430);
  assert.ok(
    metric(t1, 'tsem_persist_duration_seconds_count') >
      metric(t0, 'tsem_persist_duration_seconds_count')
  );
  assert.ok(metric(t1, 'tsem_decision_duration_seconds_count') > 0);
  assert.equal(metric(t1, 'tsem_namespaces'), 1);
});

test('untrusted tasks: listed with their cause and incident, released by an admin only, recorded', async () => {
  const admin = conn(ADMIN);
  assert.equal((await runCli('ns', 'mode', 'web', 'sealed', ...admin)).code, 0);
  const attack = await runCli(
    'export',
    '--source',
    'sim',
    '--scenario',
    'reverse-shell',
    '--to',
    e.address,
    '--namespace',
    'web',
    '--token-file',
    tokenFile('feeder')
  );
  assert.match(attack.out, /off-contour 1 denied 0/);

  const listed = await runCli('ns', 'tasks', 'web', '--untrusted', '--json', ...conn(VIEWER));
  assert.equal(listed.code, 1, 'untrusted tasks found: exit 1');
  const rows = listed.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);
  const tasks = rows.slice(0, -1);
  assert.deepEqual(rows.at(-1), { summary: { tasks: 2, untrusted: 2 } });
  const [shell, child] = tasks;
  assert.equal(shell!['trust'], 'untrusted');
  assert.equal(shell!['untrusted_type'], 'file_open');
  assert.match(shell!['untrusted_event']!, /"process": ?"sh"/, 'the event that made it untrusted');
  assert.equal(child!['inherited_from'], shell!['key']);
  const incident = shell!['incident']!;
  assert.match(incident, /^[0-9a-f-]{36}$/);
  assert.equal(child!['incident'], incident, 'one incident for the tree');
  const human = await runCli('ns', 'tasks', 'web', ...conn(VIEWER));
  assert.match(
    human.out,
    new RegExp(`${shell!['key']}\\s+untrusted\\s+event #\\d+ file_open\\s+${incident}`)
  );

  const denied = await runCli('ns', 'release', 'web', shell!['key']!, ...conn(VIEWER));
  assert.equal(denied.code, 77, `a viewer may not release: ${denied.err}`);
  assert.match(denied.err, /lacks the 'admin' role/);
  const bad = await runCli('ns', 'release', 'web', 'pid:999999', ...admin);
  assert.equal(bad.code, 65, 'no such task: the engine refused the request as invalid');
  assert.match(bad.err, /has no task pid:999999/);

  const released = await runCli('ns', 'release', 'web', shell!['key']!, ...admin);
  assert.equal(released.code, 0, released.err);
  assert.equal(
    released.out,
    `released ${shell!['key']} ${child!['key']}\nclosed incident ${incident}\n`
  );
  const after = await runCli('ns', 'tasks', 'web', '--untrusted', '--json', ...conn(VIEWER));
  assert.equal(after.code, 0);
  assert.deepEqual(JSON.parse(after.out.trim()), { summary: { tasks: 0, untrusted: 0 } });
  // recorded: in the incident (who, why) and in the log with the caller's identity
  const inc = await runCli('alerts', '--namespace', 'web', '--json', ...conn(VIEWER));
  const closed = JSON.parse(inc.out.split('\n')[0]!) as {
    id: string;
    closeReason: string;
    releasedBy: string;
  };
  assert.deepEqual(
    [closed.id, closed.closeReason, closed.releasedBy],
    [incident, 'released', 'ops-alice']
  );
  const entry = logs.find((l) => l.includes('admin action: release task'));
  assert.ok(entry, logs.join('\n'));
  assert.match(entry, /"caller":"ops-alice"/);
  assert.ok(
    logs.some((l) => /admin action: set mode .*"caller":"ops-alice".*"to":"sealed"/.test(l))
  );
  assert.equal(e.registry.require('web').untrustedTaskCount(), 0);
});
