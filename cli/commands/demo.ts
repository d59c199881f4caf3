/**
 * `tsem demo` (what `npm start` runs): the server plus a simulated workload that trains a namespace,
 * seals it, replays benign traffic (no forensics) and then shows an attack being caught, telling
 * the story on the console and where to point `tsem watch`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OptionSpec, ParsedArgs } from '../args.js';
import type { Command, Io } from '../command.js';

const OPTIONS: OptionSpec[] = [
  {
    name: 'listen',
    kind: 'string',
    arg: 'ADDR',
    help: 'host:port (default 127.0.0.1:50551, else a free port)',
  },
  {
    name: 'data',
    kind: 'string',
    arg: 'DIR',
    help: 'data directory (default: a fresh temporary one, removed at exit)',
  },
  {
    name: 'scenario',
    kind: 'string',
    arg: 'NAME',
    help: 'benign workload to train on (default nginx)',
  },
  { name: 'attack', kind: 'string', arg: 'NAME', help: 'attack to show (default reverse-shell)' },
  {
    name: 'http',
    kind: 'string',
    arg: 'ADDR',
    help: 'the web console and metrics: host:port (default 127.0.0.1:9551, else a free port)',
  },
  { name: 'once', kind: 'flag', help: 'exit after the story instead of serving live traffic' },
];

const NS = 'web';
const DEMO_HTTP = '127.0.0.1:9551';

async function run(args: ParsedArgs, io: Io): Promise<number> {
  const [{ startEngine, DEFAULT_LISTEN }, { createScenario }, grpcExp, client, fmt, shutdown] =
    await Promise.all([
      import('../../daemon/start-engine.js'),
      import('../../exporter/sim/index.js'),
      import('../../exporter/grpc-exporter.js'),
      import('../client.js'),
      import('../notice-format.js'),
      import('../../daemon/shutdown.js'),
    ]);
  const scenario = args.values.get('scenario') ?? 'nginx';
  const attack = args.values.get('attack') ?? 'reverse-shell';
  createScenario(scenario, { seed: 1, iterations: 1 });
  createScenario(attack, { seed: 1, iterations: 1 });
  const say = (s = '') => io.out(s + '\n');
  const dataDir = args.values.get('data') ?? mkdtempSync(join(tmpdir(), 'tsem-demo-'));
  // A temporary data directory goes however the demo ends (a signal mid-story exits at once).
  const removeData = () => {
    if (!args.values.get('data')) rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', removeData);
  const signals = shutdown.shutdownSignals({ log: (m) => io.err(`tsem demo: ${m}\n`) });
  const quiet = () => undefined;
  const engine = await startEngine({
    listen: args.values.get('listen') ?? DEFAULT_LISTEN,
    http: args.values.get('http') ?? DEMO_HTTP,
    dataDir,
    log: quiet,
  }).catch(() => startEngine({ listen: '127.0.0.1:0', http: '127.0.0.1:0', dataDir, log: quiet }));
  const argsFor = (): ParsedArgs => ({
    positionals: [],
    flags: new Set(),
    values: new Map([
      ['server', engine.address],
      ['data', dataDir],
    ]),
    lists: new Map(),
  });
  const c = await client.connect(argsFor());
  const send = async (name: string, seed: number, iterations: number) => {
    const items = (async function* () {
      for (const event of createScenario(name, { seed, iterations }).events())
        yield { namespace: NS, event };
    })();
    return grpcExp.streamToIngest(c.ingest.Stream(c.metadata), items, {
      exporter: 'sim',
      host: 'demo-host',
    });
  };
  const info = () => client.callControl(c, 'GetNamespace', { name: NS });
  try {
    say(`tsem-engine demo: server on ${engine.address}, data in ${dataDir}`);
    say(
      `  watch it live in another terminal:  npx tsem watch --server ${engine.address} --off-contour`
    );
    say(
      `  or in a browser: http://${engine.httpAddress}/console/  (sign in with the token in ${join(dataDir, 'admin.token')})`
    );
    say();
    say(`1. Training namespace '${NS}' on the '${scenario}' workload (learn mode)…`);
    await client
      .callControl(c, 'CreateNamespace', { name: NS, mode: 'MODE_LEARN' })
      .catch(() => undefined);
    const trained = await send(scenario, 1, 30);
    const conv = await client.callControl(c, 'GetConvergence', { name: NS });
    let ns = await info();
    say(`   ${trained.acked} events → ${ns.points} contour points`);
    say(
      `   new points per ${conv.window_events} events: ${conv.windows.map((w) => w.new_points).join(', ')}  (settled: ${conv.settled ? 'yes' : 'not yet'})`
    );
    say();
    say(
      '2. Sealing the contour map in enforce mode: unknown behaviour is now off-contour and denied.'
    );
    ns = await client.callControl(c, 'SetMode', { name: NS, mode: 'MODE_ENFORCE' });
    say(`   measurement ${ns.measurement}`);
    say(`   state       ${ns.state}`);
    say();
    say(`3. Replaying the same workload with other pids, timing and order (seed 2)…`);
    const benign = await send(scenario, 2, 10);
    ns = await info();
    say(
      `   ${benign.acked} events, ${benign.kinds?.['VERDICT_KIND_OFF_CONTOUR'] ?? 0} off-contour, forensics ${ns.forensics_length}: the model holds.`
    );
    say();
    say(`4. Now the '${attack}' attack…`);
    const sub = c.monitor.Subscribe({ namespaces: [NS], off_contour_only: true }, c.metadata);
    const alerts: string[] = [];
    sub.on(
      'data',
      (m: { event?: Parameters<typeof fmt.formatNoticeLine>[0] }) =>
        m.event && alerts.push(fmt.formatNoticeLine(m.event))
    );
    sub.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const bad = await send(attack, 3, 1);
    await new Promise((r) => setTimeout(r, 300));
    sub.cancel();
    ns = await info();
    for (const a of alerts.slice(0, 8)) say(`   ALERT ${a}`);
    if (alerts.length > 8) say(`   … and ${alerts.length - 8} more alerts`);
    say(
      `   caught: ${bad.kinds?.['VERDICT_KIND_OFF_CONTOUR'] ?? 0} off-contour event(s), ${bad.denied ?? 0} denied, the task is untrusted; forensics ${ns.forensics_length}.`
    );
    say();
    if (args.flags.has('once')) return 0;
    say(
      `Serving live traffic on ${engine.address} (benign every 2 s, an attack every 20 s). Ctrl-C to stop.`
    );
    say(`  npx tsem watch --server ${engine.address}            all events`);
    say(`  npx tsem ns show ${NS} --server ${engine.address}     measurement, state, counts`);
    let stop = false;
    const attacks = ['reverse-shell', 'shadow-read', 'ptrace', 'kernel-module', 'cryptominer'];
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        await send(scenario, 100 + i, 1).catch(() => undefined);
        if (i % 10 === 9)
          await send(attacks[Math.floor(i / 10) % attacks.length]!, 200 + i, 1).catch(
            () => undefined
          );
        await Promise.race([new Promise((r) => setTimeout(r, 2000).unref()), signals.signalled]);
      }
    })();
    await signals.signalled;
    stop = true;
    await loop;
    return 0;
  } finally {
    c.close();
    await engine.stop();
    signals.dispose();
    removeData();
    process.off('exit', removeData);
  }
}

export const commands: Command[] = [
  {
    spec: {
      name: 'demo',
      summary:
        'run the engine with a simulated workload: train, seal, replay benign traffic, catch an attack',
      usage: '',
      positionals: [0, 0],
      options: OPTIONS,
    },
    run,
  },
];
