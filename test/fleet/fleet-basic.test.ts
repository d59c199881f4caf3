/**
 * The fleet with engines in this process: events exported to JetStream are applied by the pool
 * exactly once, the namespaces spread over the engines and move when one leaves, the outputs
 * stream carries the verdicts, and a host credential publishes only its own subjects.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { connectNats } from '../../fleet/nats/connect.js';
import { exportToNats } from '../../fleet/export/nats-exporter.js';
import { hostInbox } from '../../fleet/nats/names.js';
import { natsServerAvailable, type NatsServer, startNatsServer } from '../helpers/nats-server.js';
import { simItems, until } from '../helpers/fleet-events.js';
import { runCli } from '../helpers/cli.js';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { EngineError } from '../../common/errors.js';
import {
  eventSubject,
  EVENTS_STREAM,
  FIRST_SEQ_HEADER,
  SESSION_HEADER,
} from '../../fleet/nats/names.js';
import { createScenario } from '../../exporter/sim/index.js';
import { headers } from '@nats-io/transport-node';

const skip = natsServerAvailable()
  ? false
  : 'nats-server is not installed (apt-get install nats-server)';

describe('fleet in one process', { skip }, () => {
  let nats: NatsServer;
  const dirs: string[] = [];
  const engines: RunningEngine[] = [];
  before(async () => {
    nats = await startNatsServer(['host-a', 'host-b']);
  });
  after(async () => {
    for (const e of engines) await e.stop().catch(() => undefined);
    await nats?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function engine(id: string): Promise<RunningEngine> {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-fleet-'));
    dirs.push(dir);
    const e = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      log: () => undefined,
      loopStallMs: 0,
      fleet: {
        nats: { url: nats.url, ...nats.engine },
        pool: { engineId: id, leaseMs: 1500, heartbeatMs: 300, snapshotMs: 300 },
      },
    });
    engines.push(e);
    return e;
  }

  test('events reach the pool once and namespaces spread', async () => {
    const a = await engine('e1');
    const nc = await connectNats({
      url: nats.url,
      ...nats.host('host-a'),
      inboxPrefix: hostInbox('host-a'),
    });
    const nss = ['n1', 'n2', 'n3', 'web.prod@x'];
    const stats = await exportToNats(nc, simItems(nss, 2, 7), { host: 'host-a', exporter: 'sim' });
    await nc.close();
    assert.equal(stats.acked, stats.sent);
    const total = () => nss.reduce((t, n) => t + (a.registry.get(n)?.eventCount ?? 0), 0);
    await until('every event applied', () => total() === stats.sent);
    const b = await engine('e2');
    const owned = () => [...a.fleet!.status().owned, ...b.fleet!.status().owned].sort();
    await until(
      'namespaces spread over two engines',
      () =>
        b.fleet!.status().owned.length > 0 &&
        a.fleet!.status().owned.length > 0 &&
        owned().join() === [...nss].sort().join()
    );
    // Handed over with their state: each namespace holds its events once, wherever it is now.
    const held = (n: string) => (a.registry.get(n) ?? b.registry.get(n))?.eventCount ?? 0;
    assert.equal(
      nss.reduce((t, n) => t + held(n), 0),
      stats.sent
    );
  });

  test("a host credential cannot publish into another host's subjects", async () => {
    const nc = await connectNats({
      url: nats.url,
      ...nats.host('host-a'),
      inboxPrefix: hostInbox('host-a'),
    });
    try {
      await assert.rejects(
        exportToNats(nc, simItems(['spoofed'], 1, 3), {
          host: 'host-b',
          exporter: 'sim',
          drainMs: 3000,
        }),
        (err: unknown) => err instanceof EngineError && err.code === 'TSEM_PERMISSION'
      );
      nc.publish('tsem.ev.host-b.spoofed', '{}');
      await nc.flush();
      const jsm = await jetstreamManager(nc).catch((e: unknown) => e);
      assert.ok(jsm instanceof Error, 'a host credential has no JetStream API');
    } finally {
      await nc.close();
    }
    const admin = await connectNats({ url: nats.url, ...nats.engine });
    try {
      const jsm = await jetstreamManager(admin);
      const info = await jsm.streams.info(EVENTS_STREAM, { subjects_filter: 'tsem.ev.host-b.>' });
      assert.deepEqual(Object.keys(info.state.subjects ?? {}), [], 'nothing stored as host-b');
    } finally {
      await admin.close();
    }
    const cli = await runCli(
      'export',
      '--source',
      'sim',
      '--scenario',
      'nginx',
      '--namespace',
      'spoofed',
      '--nats',
      nats.url,
      '--nats-user',
      'host-a',
      '--nats-password-file',
      nats.host('host-a').passwordFile,
      '--host',
      'host-b'
    );
    assert.equal(cli.code, 77, cli.err);
    assert.match(cli.err, /refused|permission/i);
  });

  test('tsem export --nats and tsem watch --nats with host and watcher credentials', async () => {
    const host = nats.host('host-b');
    const out = await runCli(
      'export',
      '--source',
      'sim',
      '--scenario',
      'nginx',
      '--namespace',
      'cli-ns',
      '--nats',
      nats.url,
      '--nats-user',
      host.user,
      '--nats-password-file',
      host.passwordFile,
      '--host',
      'host-b'
    );
    assert.equal(out.code, 0, out.err);
    const m = /^sent (\d+) acked (\d+) /m.exec(out.out);
    assert.ok(m && m[1] === m[2] && Number(m[1]) > 0, out.out);
    await until('cli-ns applied', () =>
      engines.some((e) => e.registry.get('cli-ns')?.eventCount === Number(m[1]))
    );
    const w = nats.watcher;
    const watched = await runCli(
      'watch',
      '--nats',
      nats.url,
      '--nats-user',
      w.user,
      '--nats-password-file',
      w.passwordFile,
      '--namespace',
      'cli-ns',
      '--from-start',
      '--count',
      '5',
      '--json'
    );
    assert.equal(watched.code, 0, watched.err);
    const lines = watched.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { namespace: string; host: string });
    assert.equal(lines.length, 5);
    for (const l of lines) assert.deepEqual([l.namespace, l.host], ['cli-ns', 'host-b']);
  });

  test('labelled models live in the fleet: saved through one engine, listed and exported by another', async () => {
    const [a, b] = engines;
    const owner = [a!, b!].find((e) => e.registry.get('n1'))!;
    const other = owner === a ? b! : a!;
    const conn = (e: RunningEngine) => ['--server', e.address, '--data', e.dataDir];
    const saved = await runCli('label', 'save', 'web', '--namespace', 'n1', ...conn(owner));
    assert.equal(saved.code, 0, saved.err);
    const listed = await runCli('label', 'list', '--json', ...conn(other));
    assert.equal(listed.code, 0, listed.err);
    const rows = listed.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { label?: string; points?: number });
    const web = rows.find((r) => r.label === 'web');
    assert.ok(web, listed.out);
    assert.equal(Number(web.points), owner.registry.get('n1')!.pointCount);
    const exported = await runCli('label', 'export', 'web', ...conn(other));
    assert.equal(exported.code, 0, exported.err);
    const model = await runCli('model', 'export', '--namespace', 'n1', ...conn(owner));
    assert.equal(model.code, 0, model.err);
    const body = (t: string) => t.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    assert.deepEqual(body(exported.out), body(model.out));
    assert.ok(body(model.out).length > 0);
  });

  test('NATS unreachable is status 69, refused credentials 77', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-fleet-down-'));
    dirs.push(dir);
    const down = 'nats://127.0.0.1:1';
    const serve = await runCli(
      'serve',
      '--nats',
      down,
      '--listen',
      '127.0.0.1:0',
      '--data',
      dir,
      '--store-key',
      'none'
    );
    assert.equal(serve.code, 69, serve.err);
    assert.match(serve.err, /cannot connect to NATS/);
    const sim = ['export', '--source', 'sim', '--scenario', 'nginx'];
    assert.equal((await runCli(...sim, '--nats', down)).code, 69);
    assert.equal((await runCli('watch', '--nats', down)).code, 69);
    const wrong = join(dir, 'wrong.password');
    writeFileSync(wrong, 'not-the-password');
    const refused = await runCli(
      ...sim,
      '--nats',
      nats.url,
      '--nats-user',
      'host-a',
      '--nats-password-file',
      wrong
    );
    assert.equal(refused.code, 77, refused.err);
  });

  test('a message stored twice (sent again after the duplicate window) is applied once', async () => {
    const nc = await connectNats({ url: nats.url, ...nats.engine });
    try {
      const js = jetstream(nc);
      const lines = [...createScenario('nginx', { seed: 9, iterations: 1 }).events()]
        .slice(0, 40)
        .map((e) => JSON.stringify(e));
      const send = async (id: string, first: number, part: string[]) => {
        const h = headers();
        h.set(SESSION_HEADER, 'session-1');
        h.set(FIRST_SEQ_HEADER, String(first));
        await js.publish(eventSubject('host-a', 'twice'), part.join('\n'), {
          msgID: id,
          headers: h,
        });
      };
      await send('m1', 1, lines.slice(0, 30));
      // The same events again under another id (its first copy is out of the window), then an
      // overlapping message: only events 31-40 are new.
      await send('m1-again', 1, lines.slice(0, 30));
      await send('m2', 21, lines.slice(20, 40));
      const held = () => engines.map((e) => e.registry.get('twice')?.eventCount ?? 0);
      await until('twice applied', () => held().some((n) => n >= 40));
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(Math.max(...held()), 40);
    } finally {
      await nc.close();
    }
  });
});
