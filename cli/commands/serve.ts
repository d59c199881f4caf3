/** `tsem serve`: the engine server with its embedded LevelDB store and an optional in-process source. */
import { intOption, type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import type { Command, Io } from '../command.js';

export const TLS_SERVER_OPTIONS: OptionSpec[] = [
  { name: 'tls-cert', kind: 'string', arg: 'FILE', help: 'server certificate (PEM): enables TLS' },
  { name: 'tls-key', kind: 'string', arg: 'FILE', help: 'server private key (PEM)' },
  { name: 'tls-client-ca', kind: 'string', arg: 'FILE', help: 'CA of client certificates: requires them (mTLS)' },
  { name: 'auth', kind: 'string', arg: 'FILE', help: 'identities file: tokens and certificate names with roles and namespaces' },
];

const OPTIONS: OptionSpec[] = [
  { name: 'listen', kind: 'string', arg: 'ADDR', help: 'host:port to listen on (default 127.0.0.1:50551; loopback only)' },
  { name: 'data', kind: 'string', arg: 'DIR', help: 'data directory (default $TSEM_DATA_DIR, else ~/.local/share/tsem)' },
  { name: 'source', kind: 'string', arg: 'KIND', choices: ['none', 'sim', 'fanotify', 'audit'], help: 'in-process event source (default none: exporters connect over gRPC)' },
  { name: 'scenario', kind: 'string', arg: 'NAME', help: 'sim: scenario to loop (default nginx)' },
  { name: 'rate', kind: 'string', arg: 'N', help: 'sim: events per second (default 2000)' },
  { name: 'namespace', kind: 'string', arg: 'NS', help: 'sim: namespace name (default sim); fanotify/audit: host:NAME rule shortcut' },
  { name: 'watch', kind: 'list', arg: 'PATH', help: 'fanotify: path to watch (repeatable)' },
  { name: 'enforce', kind: 'flag', help: 'fanotify: hold opens and execs for the verdict (deny with EPERM)' },
  { name: 'timeout-ms', kind: 'string', arg: 'MS', help: 'fanotify: decision timeout (default 2000)' },
  { name: 'fail-closed', kind: 'flag', help: 'fanotify: deny when no verdict came in time (default: allow)' },
  { name: 'ns-rule', kind: 'string', arg: 'RULE', help: 'fanotify/audit: host | host:NAME | linux-ns | cgroup (default host)' },
  { name: 'digest', kind: 'string', arg: 'NAME', help: 'default namespace hash (default sha256)' },
  { name: 'tpm', kind: 'string', arg: 'SPEC', help: 'TPM for the hardware aggregate and PCR 11: swtpm:HOST:PORT, mssim:HOST:PORT or /dev/tpmrm0' },
  { name: 'attest', kind: 'flag', help: 'run the trusted modeling agent (worker) that mirrors namespaces and signs attestation reports' },
  { name: 'platform-secret', kind: 'string', arg: 'FILE', help: "agent: the simulated platform's secret binding its sealed state (default: per process)" },
  { name: 'root-namespace', kind: 'string', arg: 'NS', help: 'namespace whose new points extend the model PCR (default root)' },
  { name: 'agent-key-out', kind: 'string', arg: 'FILE', help: "agent: write its public key here (for 'tsem attest verify --pubkey')" },
  { name: 'ima', kind: 'flag', help: "run IMA per namespace on file events (the kernel's tcb policy unless --ima-policy)" },
  { name: 'ima-policy', kind: 'string', arg: 'FILE', help: 'IMA policy of the host (implies --ima)' },
  { name: 'ima-key', kind: 'list', arg: 'FILE', help: 'IMA appraisal key: X.509 certificate or PEM public key (repeatable)' },
  { name: 'ima-local-files', kind: 'flag', help: 'IMA: hash and read security.ima of local files (default only with --source fanotify|audit)' },
  { name: 'no-auto-create', kind: 'flag', help: 'reject events for namespaces not created through Control' },
  ...TLS_SERVER_OPTIONS,
];

/** Engine options common to serve and demo. */
export function engineOptions(args: ParsedArgs) {
  const cert = args.values.get('tls-cert');
  const key = args.values.get('tls-key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const clientCa = args.values.get('tls-client-ca');
  if (clientCa !== undefined && cert === undefined) throw new UsageError('--tls-client-ca needs --tls-cert and --tls-key');
  return {
    listen: args.values.get('listen'),
    dataDir: args.values.get('data'),
    digest: args.values.get('digest'),
    autoCreate: !args.flags.has('no-auto-create'),
    tls: cert && key ? { cert, key, clientCa } : undefined,
    authFile: args.values.get('auth'),
  };
}

/** Resolves on SIGINT/SIGTERM. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}

async function simSource(args: ParsedArgs, signal: AbortSignal) {
  const { createScenario } = await import('../../exporter/sim/index.js');
  const name = args.values.get('scenario') ?? 'nginx';
  const rate = intOption(args.values.get('rate'), '--rate', 2000, 1);
  const namespace = args.values.get('namespace') ?? 'sim';
  createScenario(name, { seed: 1, iterations: 1 }); // validates the name before the server starts
  return (async function* () {
    for (let seed = 1; !signal.aborted; seed++) {
      const started = Date.now();
      let n = 0;
      for (const event of createScenario(name, { seed, iterations: 1 }).events()) {
        if (signal.aborted) return;
        yield { namespace, event };
        if (++n % 100 === 0) {
          const ahead = (n / rate) * 1000 - (Date.now() - started);
          if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
        }
      }
    }
  })();
}

/** The IMA stage when --ima, --ima-policy or --ima-key asks for it. Events from other machines
 * name files this host does not have: their digests come from the events only. */
async function imaOption(args: ParsedArgs, localSource: boolean) {
  const policy = args.values.get('ima-policy');
  const keys = args.lists.get('ima-key') ?? [];
  if (!args.flags.has('ima') && policy === undefined && keys.length === 0) return undefined;
  const { createImaStage } = await import('../../engine/ima-stage/create-ima-stage.js');
  const { readImaStageFiles } = await import('../../engine/ima-stage/io/stage-files.js');
  const local = localSource || args.flags.has('ima-local-files');
  return createImaStage({ ...readImaStageFiles(policy, keys), ...(local ? {} : { readXattr: () => undefined, hashFile: () => undefined }) });
}

async function run(args: ParsedArgs, io: Io): Promise<number> {
  const source = args.values.get('source') ?? 'none';
  const { startEngine } = await import('../../engine/index.js');
  const { feedSource } = await import('../../engine/feed-source.js');
  const { createLog } = await import('../../common/log.js');
  const log = createLog('tsem', io.err);
  let kernelSource: import('../../exporter/source.js').EventSource | undefined;
  if (source === 'fanotify' || source === 'audit') {
    const { createSource } = await import('../../exporter/sources.js');
    const rule = args.values.get('ns-rule') ?? (args.values.get('namespace') ? `host:${args.values.get('namespace')}` : undefined);
    kernelSource = createSource(source, {
      watch: args.lists.get('watch'),
      enforce: args.flags.has('enforce'),
      decisionTimeoutMs: args.values.has('timeout-ms') ? intOption(args.values.get('timeout-ms'), '--timeout-ms', 2000, 1) : undefined,
      failMode: args.flags.has('fail-closed') ? 'closed' : 'open',
      namespace: rule,
      digestAlgorithm: args.values.get('digest'),
    });
  } else if (args.lists.get('watch')?.length || args.flags.has('enforce')) {
    throw new UsageError('--watch and --enforce apply to --source fanotify');
  }
  const ima = await imaOption(args, source === 'fanotify' || source === 'audit');
  const { createTrust } = await import('../../engine/trust/create-trust.js');
  const trust = await createTrust({
    imaEntries: ima ? () => ima.host.log.entries : undefined,
    tpm: args.values.get('tpm'),
    agent: args.flags.has('attest'),
    tee: args.flags.has('attest'),
    platformSecretPath: args.values.get('platform-secret'),
    rootNamespace: args.values.get('root-namespace'),
    log,
  });
  log(trust.describe);
  const keyOut = args.values.get('agent-key-out');
  if (keyOut && trust.agentPublicKey) {
    const { formatPublicKey } = await import('../../engine/attest/keys.js');
    (await import('node:fs')).writeFileSync(keyOut, formatPublicKey(trust.agentPublicKey));
  }
  if (ima) log(`IMA: on (${args.values.get('ima-policy') ?? 'tcb policy'}, ${args.lists.get('ima-key')?.length ?? 0} appraisal key(s))`);
  let engine: Awaited<ReturnType<typeof startEngine>>;
  try {
    engine = await startEngine({
      ...engineOptions(args), log, aggregate: trust.aggregate, stages: [...(ima ? [ima.stage] : []), ...trust.stages], attester: trust.attester, ima: ima?.logs,
      // The IMA logs come back from the store before the first event can arrive.
      beforeListen: ima
        ? async (store) => {
            const { ImaLogStore } = await import('../../engine/store/ima-log-store.js');
            const r = await ima.restore(ImaLogStore.of(store));
            trust.imaRestored(ima.host.log.entries.length);
            if (r.entries > 0) log(`IMA: restored ${r.entries} log entries in ${r.levels} level(s)`);
          }
        : undefined,
    });
  } catch (err) {
    await trust.close();
    throw err;
  }
  const stopping = new AbortController();
  let feeding: Promise<unknown> = Promise.resolve();
  try {
    if (kernelSource) {
      await kernelSource.start();
      log(`source ${source} started`);
      feeding = feedSource(kernelSource, engine.submit, { host: (await import('node:os')).hostname(), exporter: source });
    } else if (source === 'sim') {
      const events = await simSource(args, stopping.signal);
      log(`source sim: scenario ${args.values.get('scenario') ?? 'nginx'} into namespace ${args.values.get('namespace') ?? 'sim'}`);
      feeding = feedSource(events, engine.submit, { host: 'sim', exporter: 'sim' });
    }
    log(`watch it live: npx tsem watch --server ${engine.address}`);
    const ended = source === 'none' ? new Promise<string>(() => undefined) : feeding.then(() => 'source ended');
    const sig = await Promise.race([untilSignal(), ended]);
    log(`stopping (${sig})`);
  } finally {
    stopping.abort();
    await kernelSource?.stop();
    await feeding.catch((err: unknown) => log(`source error: ${(err as Error).message}`));
    await engine.stop();
    await trust.close();
  }
  return 0;
}

export const commands: Command[] = [
  {
    spec: {
      name: 'serve',
      summary: 'run the engine server (gRPC Ingest, Monitor, Control) on its LevelDB store',
      usage: '',
      positionals: [0, 0],
      options: OPTIONS,
      details:
        'Listens on loopback by default. The admin token for Control mutations is written to <data>/admin.token (mode 0600).\n' +
        'On loopback without TLS anyone may stream events and watch; off loopback every call needs a token or a client certificate.',
    },
    run,
  },
];
