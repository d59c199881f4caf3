/**
 * Acceptance of incidents and alert outputs, with real receivers: a local HTTP webhook listener
 * (Standard Webhooks signatures checked), rsyslogd on a local datagram socket and on loopback TCP
 * (it parses RFC 5424; we read its parse), and a JSON lines file forced to rotate. One reverse
 * shell against an enforce-mode namespace is one incident, in the native and the SIEM schemas.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AlertOptions, EngineOptions } from '../../daemon/engine-options.js';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { parseOutput } from '../../engine/alert/output-spec.js';
import type { Incident } from '../../engine/incident/incident.js';
import { runCli } from '../helpers/cli.js';
import { rsyslogMissing, startRsyslog, type Rsyslog } from '../helpers/rsyslog.js';
import { ecsAlertProblems, ocsfDetectionFindingProblems } from '../helpers/siem-schema.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'whsec_' + Buffer.from('a test secret of 24 bytes').toString('base64');
const KEY = Buffer.from('a test secret of 24 bytes');
const quiet = () => undefined;

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'tsem-alerts-e2e-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function alertOptions(specs: string[], extra: Partial<AlertOptions> = {}): AlertOptions {
  return {
    outputs: specs.map((s, i) => parseOutput(s, `alert[${i}]`)),
    quietMs: 1500,
    sweepMs: 100,
    backoff: { initialMs: 100, maxMs: 400 },
    ...extra,
  };
}

async function engineWith(
  dataDir: string,
  alerts: AlertOptions,
  more: Partial<EngineOptions> = {}
) {
  return startEngine({
    listen: '127.0.0.1:0',
    dataDir,
    log: quiet,
    alerts,
    env: { HOOK: SECRET },
    ...more,
  });
}

async function cli(...args: string[]): Promise<string> {
  return cliExpecting(0, ...args);
}

async function cliExpecting(code: number, ...args: string[]): Promise<string> {
  const r = await runCli(...args);
  if (r.code !== code) throw new Error(`tsem ${args.join(' ')} exited ${r.code}: ${r.err}`);
  return r.out;
}

/** Trains `ns` on nginx and seals it in enforce mode. */
async function trainAndEnforce(e: RunningEngine, ns: string): Promise<void> {
  await cli(
    'export',
    '--source',
    'sim',
    '--scenario',
    'nginx',
    '--to',
    e.address,
    '--namespace',
    ns
  );
  await cli('ns', 'mode', ns, 'enforce', '--server', e.address, '--data', e.dataDir);
}

/** An attack in a sealed namespace: export exits 1, it found off-contour events (or denials). */
async function attack(e: RunningEngine, ns: string, seed = '1'): Promise<string> {
  return cliExpecting(
    1,
    'export',
    '--source',
    'sim',
    '--scenario',
    'reverse-shell',
    '--seed',
    seed,
    '--to',
    e.address,
    '--namespace',
    ns
  );
}

async function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function jsonLines(files: string[]): Record<string, unknown>[] {
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  );
}

test(
  'one reverse shell: one incident with its later events, to a webhook, a rotated file and syslog (socket and TCP), native, OCSF and ECS',
  { skip: rsyslogMissing() },
  async () => {
    const dir = join(root, 'main');
    const hook = await startWebhookReceiver(KEY);
    const syslog: Rsyslog = await startRsyslog();
    const file = join(dir, 'out', 'alerts.jsonl');
    const ecsFile = join(dir, 'out', 'ecs.jsonl');
    const e = await engineWith(
      join(dir, 'data'),
      alertOptions([
        `webhook:${hook.url}/native;secret-env=HOOK`,
        `webhook:${hook.url}/ocsf;format=ocsf;secret-env=HOOK`,
        `file:${file};max-bytes=2048;keep=3`,
        `file:${ecsFile};format=ecs`,
        `syslog:unix:${syslog.socket};format=native`,
        `syslog:tcp:127.0.0.1:${syslog.tcpPort};format=ocsf;facility=local0`,
      ])
    );
    try {
      await trainAndEnforce(e, 'web');
      const summary = await attack(e, 'web');
      assert.match(summary, /off-contour 1 denied 14/);
      // open, then close after the quiet period: two records for each output
      await hook.waitFor(4);
      await until('syslog lines', () => syslog.lines().length >= 4);
      await until('every output', () => e.alerts.deliverers.every((d) => d.stats.delivered === 2));

      // Webhook: signed, stable ids, the native and the OCSF form of one incident.
      for (const d of hook.deliveries) assert.ok(d.signatureValid, `bad signature on ${d.path}`);
      const native = hook.deliveries
        .filter((d) => d.path === '/native')
        .map((d) => JSON.parse(d.body) as { id: string; activity: string; incident: Incident });
      assert.deepEqual(
        native.map((n) => n.activity),
        ['open', 'close']
      );
      const inc = native[1]!.incident;
      const ids = new Set(native.map((n) => n.incident.id));
      assert.equal(ids.size, 1, 'exactly one incident');
      assert.deepEqual(
        hook.deliveries.filter((d) => d.path === '/native').map((d) => d.headers['webhook-id']),
        [`${inc.id}.1`, `${inc.id}.2`]
      );
      // the task's later events are attached, not alerts of their own
      assert.equal(inc.counts.offContour, 1);
      assert.equal(inc.counts.untrusted, 13);
      assert.equal(inc.counts.denied, 14);
      assert.equal(inc.counts.events, 15);
      assert.equal(inc.taskCount, 2, 'the shell and the cat it forked');
      assert.equal(inc.severity, 'high');
      assert.equal(inc.closeReason, 'quiet');
      assert.equal(inc.root.process, 'sh');
      const ocsf = hook.deliveries
        .filter((d) => d.path === '/ocsf')
        .map((d) => JSON.parse(d.body) as Record<string, unknown>);
      for (const f of ocsf) assert.deepEqual(ocsfDetectionFindingProblems(f), []);
      assert.deepEqual(
        ocsf.map((f) => (f['finding_info'] as { uid: string }).uid),
        [inc.id, inc.id]
      );
      assert.deepEqual(
        ocsf.map((f) => f['activity_id']),
        [1, 3]
      );

      // File: rotated (each native record is larger than max-bytes), nothing lost across files.
      const rotated = readdirSync(join(dir, 'out')).filter((f) => f.startsWith('alerts.jsonl.'));
      assert.ok(rotated.length >= 1, `rotated files: ${readdirSync(join(dir, 'out')).join(' ')}`);
      const fileRecs = jsonLines(
        [file, ...rotated.map((f) => join(dir, 'out', f))].filter(existsSync)
      );
      assert.deepEqual(fileRecs.map((r) => r['id']).sort(), [`${inc.id}.1`, `${inc.id}.2`]);
      const ecs = jsonLines([ecsFile]);
      for (const d of ecs) assert.deepEqual(ecsAlertProblems(d), []);
      assert.deepEqual(
        ecs.map((d) => (d['labels'] as { tsem_incident: string }).tsem_incident),
        [inc.id, inc.id]
      );

      // Syslog: what rsyslogd parsed as RFC 5424, from the socket (native) and TCP (OCSF).
      const lines = syslog.lines();
      const byFacility = (f: string) => lines.filter((l) => l.facility === f);
      const sock = byFacility('4'); // auth, the default
      const tcp = byFacility('16'); // local0
      assert.equal(sock.length, 2);
      assert.equal(tcp.length, 2);
      for (const l of lines) {
        assert.equal(l.version, '1');
        assert.equal(l.appName, 'tsem');
        assert.match(l.structuredData, new RegExp(`^\\[tsem@32473 id="${inc.id}" version="[12]"`));
      }
      assert.deepEqual(
        sock.map((l) => [l.msgId, l.severity]),
        [
          ['incident-open', '2'],
          ['incident-close', '6'],
        ]
      );
      assert.equal((JSON.parse(sock[1]!.msg) as { incident: Incident }).incident.counts.events, 15);
      for (const l of tcp) assert.deepEqual(ocsfDetectionFindingProblems(JSON.parse(l.msg)), []);

      // The persisted log answers too: one incident.
      const listed = await runCli('alerts', '--json', '--server', e.address, '--data', e.dataDir);
      assert.equal(listed.code, 1, 'incidents found: exit 1');
      const rows = listed.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(rows.at(-1), { summary: { incidents: 1, open: 0 } });
      assert.equal((rows[0] as { id: string }).id, inc.id);
    } finally {
      await e.stop();
      await hook.close();
      await syslog.stop();
    }
  }
);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

test('a webhook down across an engine restart still receives the incident once it is back', async () => {
  const dir = join(root, 'restart');
  const port = await freePort(); // nothing listens here until the engine restarted
  const url = `http://127.0.0.1:${port}/hook`;
  const opts = alertOptions([`webhook:${url};secret-env=HOOK`], { quietMs: 60_000 });
  let e = await engineWith(join(dir, 'data'), opts);
  let id: string;
  try {
    await trainAndEnforce(e, 'web');
    await attack(e, 'web');
    const d = e.alerts.deliverers[0]!;
    await until('a failed delivery', () => d.stats.retries >= 1);
    assert.equal(d.stats.delivered, 0);
    id = e.alerts.tracker.openIncidents()[0]!.id;
  } finally {
    await e.stop();
  }
  const hook = await startWebhookReceiver(KEY, port);
  e = await engineWith(join(dir, 'data'), opts);
  try {
    await hook.waitFor(1);
    const first = hook.deliveries[0]!;
    assert.ok(first.signatureValid);
    assert.equal(
      first.headers['webhook-id'],
      `${id}.1`,
      'the same delivery id as before the restart'
    );
    const body = JSON.parse(first.body) as { activity: string; incident: Incident };
    assert.equal(body.activity, 'open');
    assert.equal(body.incident.counts.events, 15);
    // the incident is still open after the restart: the task's next events attach to it
    await attack(e, 'web');
    assert.deepEqual(
      e.alerts.tracker.openIncidents().map((i) => i.id),
      [id]
    );
  } finally {
    await e.stop();
    await hook.close();
  }
});

test('a dead webhook does not slow ingest; what it cannot take is dropped and counted', async () => {
  const dir = join(root, 'dead');
  const hook = await startWebhookReceiver(KEY);
  hook.status = 'hang'; // takes the request, never answers
  const e = await engineWith(
    join(dir, 'data'),
    alertOptions([`webhook:${hook.url}/hang;secret-env=HOOK;max-queue=1;timeout-ms=60000`], {
      quietMs: 150,
      sweepMs: 50,
    }),
    { http: '127.0.0.1:0' }
  );
  try {
    await trainAndEnforce(e, 'web');
    for (let i = 0; i < 4; i++) {
      // each attack is acknowledged while the webhook holds its first request
      assert.match(await attack(e, 'web'), /acked 445/);
      await until('the incident to close', () => e.alerts.tracker.openIncidents().length === 0);
    }
    await hook.waitFor(1);
    const d = e.alerts.deliverers[0]!;
    assert.equal(d.stats.delivered, 0);
    await until('drops', () => d.stats.dropped['queue-full'] >= 5);
    assert.equal(hook.deliveries.length, 1, 'one request, still held');
    const metrics = await (await fetch(`http://${e.httpAddress}/metrics`)).text();
    const m = new RegExp(
      `^tsem_alert_output_dropped_total\\{output="webhook:${hook.url}/hang",cause="queue-full"\\} (\\d+)$`,
      'm'
    ).exec(metrics);
    assert.ok(
      m && Number(m[1]) >= 5,
      metrics
        .split('\n')
        .filter((l) => l.includes('alert_output'))
        .join('\n')
    );
  } finally {
    await e.stop();
    await hook.close();
  }
});
