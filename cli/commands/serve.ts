/** `tsem serve`: the engine server with its embedded LevelDB store and an optional in-process source. */
import {
  type CommandSpec,
  intOption,
  type OptionSpec,
  type ParsedArgs,
  UsageError,
} from '../args.js';
import type { Command, Io } from '../command.js';
import { hostname } from 'node:os';
import { errorMessage } from '../../common/errors.js';
import type { Log, LogFormat, LogLevel } from '../../common/log.js';
import type {
  AlertOptions,
  EngineOptions,
  FleetOptions,
  ImaOptions,
  SourceSpec,
} from '../../daemon/engine-options.js';
import { ALERT_OPTION, alertOutputs } from '../alert-output-options.js';
import { DURABILITIES, type Durability } from '../../engine/feed-source.js';
import type { FanotifyMarkKind } from '../../exporter/fanotify/fanotify-options.js';
import { DEFAULT_LIMITS, type Limits } from '../../proto/limits.js';
import { NATS_OPTIONS, natsOptions } from '../nats-options.js';
import { MAX_SHARD_WORKERS } from '../../engine/shard/shard-pool.js';

export const TLS_SERVER_OPTIONS: OptionSpec[] = [
  { name: 'tls-cert', kind: 'string', arg: 'FILE', help: 'server certificate (PEM): enables TLS' },
  { name: 'tls-key', kind: 'string', arg: 'FILE', help: 'server private key (PEM)' },
  {
    name: 'tls-client-ca',
    kind: 'string',
    arg: 'FILE',
    help: 'CA of client certificates: requires them (mTLS)',
  },
  {
    name: 'auth',
    kind: 'string',
    arg: 'FILE',
    help: 'identities file: tokens and certificate names with roles and namespaces',
  },
];

const OPTIONS: OptionSpec[] = [
  {
    name: 'listen',
    kind: 'string',
    arg: 'ADDR',
    help: 'where to listen (default 127.0.0.1:50551). 127.x.x.x:PORT, localhost:PORT, [::1]:PORT or unix:PATH: this machine only; any other address (0.0.0.0:PORT = every interface) is reachable from the network and needs --tls-cert/--tls-key or --insecure',
  },
  {
    name: 'insecure',
    kind: 'flag',
    help: 'allow --listen off loopback without TLS (bearer tokens travel in plain text)',
  },
  {
    name: 'data',
    kind: 'string',
    arg: 'DIR',
    help: 'data directory (default $TSEM_DATA_DIR, else /var/lib/tsem for root, else ~/.local/share/tsem)',
  },
  {
    name: 'source',
    kind: 'string',
    arg: 'KIND',
    choices: ['none', 'sim', 'fanotify', 'audit'],
    help: 'in-process event source (default none: exporters connect over gRPC)',
  },
  { name: 'scenario', kind: 'string', arg: 'NAME', help: 'sim: scenario to loop (default nginx)' },
  { name: 'rate', kind: 'string', arg: 'N', help: 'sim: events per second (default 2000)' },
  {
    name: 'namespace',
    kind: 'string',
    arg: 'NS',
    help: 'sim: namespace name (default sim); fanotify/audit: host:NAME rule shortcut',
  },
  {
    name: 'watch',
    kind: 'list',
    arg: 'PATH',
    help: 'fanotify: watch the files under PATH (repeatable; see --mark)',
  },
  {
    name: 'mark',
    kind: 'string',
    arg: 'KIND',
    choices: ['subtree', 'mount', 'filesystem', 'directory'],
    help: 'fanotify: what --watch PATH covers: subtree (default: files under PATH, a mount mark filtered by path), mount (its whole mount), filesystem (its whole filesystem in every mount namespace, needed for tsem run --unshare mnt), directory (PATH and its direct children)',
  },
  {
    name: 'audit-ppid',
    kind: 'string',
    arg: 'PID',
    help: 'audit: only children of this process (narrow rules; default every process)',
  },
  {
    name: 'enforce',
    kind: 'flag',
    help: 'fanotify: hold opens and execs for the verdict (deny with EPERM)',
  },
  {
    name: 'timeout-ms',
    kind: 'string',
    arg: 'MS',
    help: 'fanotify: decision timeout (default 2000)',
  },
  {
    name: 'fail-closed',
    kind: 'flag',
    help: 'fanotify: deny when no verdict came in time (default: allow)',
  },
  {
    name: 'no-verdict-cache',
    kind: 'flag',
    help: 'fanotify --enforce: ask the engine for every held open (default: repeated on-contour opens are answered by the reader thread, and still modeled)',
  },
  {
    name: 'workers',
    kind: 'string',
    arg: 'N',
    help: "worker threads deciding the namespaces' events (default 0: the main thread); each namespace belongs to one worker, so N busy namespaces use up to N more cores. Not with --agent",
  },
  {
    name: 'no-idle-gc',
    kind: 'flag',
    help: 'keep the memory a burst of ingest took (default: one full collection once ingest has been quiet for 2 s)',
  },
  {
    name: 'ns-rule',
    kind: 'string',
    arg: 'RULE',
    help: 'fanotify/audit: host | host:NAME | linux-ns | cgroup (default host)',
  },
  { name: 'digest', kind: 'string', arg: 'NAME', help: 'default namespace hash (default sha256)' },
  {
    name: 'tpm',
    kind: 'string',
    arg: 'SPEC',
    help: 'TPM for the hardware aggregate and PCR 11: swtpm:HOST:PORT, mssim:HOST:PORT or /dev/tpmrm0',
  },
  {
    name: 'ak-handle',
    kind: 'string',
    arg: 'HANDLE',
    help: 'persistent TPM handle of the attestation key, created there once (default 0x81010010)',
  },
  {
    name: 'attest',
    kind: 'flag',
    help: 'run the trusted modeling agent (worker) that mirrors namespaces and signs attestation reports',
  },
  {
    name: 'platform-secret',
    kind: 'string',
    arg: 'FILE',
    help: "agent: the simulated platform's secret binding its sealed state (default: per process)",
  },
  {
    name: 'root-namespace',
    kind: 'string',
    arg: 'NS',
    help: 'namespace whose new points extend the model PCR (default root)',
  },
  {
    name: 'agent-key-out',
    kind: 'string',
    arg: 'FILE',
    help: "agent: write its public key here (for 'tsem attest verify --pubkey')",
  },
  {
    name: 'ima',
    kind: 'flag',
    help: "run IMA per namespace on file events (the kernel's tcb policy unless --ima-policy)",
  },
  {
    name: 'ima-policy',
    kind: 'string',
    arg: 'FILE',
    help: 'IMA policy of the host (implies --ima)',
  },
  {
    name: 'ima-key',
    kind: 'list',
    arg: 'FILE',
    help: 'IMA appraisal key: X.509 certificate or PEM public key (repeatable)',
  },
  {
    name: 'ima-local-files',
    kind: 'flag',
    help: 'IMA: hash and read security.ima of local files (default only with --source fanotify|audit)',
  },
  {
    name: 'model-key',
    kind: 'list',
    arg: 'FILE',
    help: 'a key trusted to sign models: Ed25519 public key (tsem model keygen) or RSA public key (repeatable)',
  },
  {
    name: 'require-signed-models',
    kind: 'flag',
    help: 'load only models whose signature verifies with a --model-key (bad signatures are always refused)',
  },
  {
    name: 'limit',
    kind: 'list',
    arg: 'NAME=N',
    help: `per-identity limit (repeatable): ${Object.entries(DEFAULT_LIMITS)
      .map(([k, v]) => `${k} (default ${v})`)
      .join(', ')}`,
  },
  {
    name: 'store-key',
    kind: 'string',
    arg: 'FILE',
    help: 'key protecting the store against offline edits, kept apart from the data (default /etc/tsem/store.key as root, else ~/.config/tsem/store.key; created on first start; none: off)',
  },
  {
    name: 'sync',
    kind: 'flag',
    help: 'fsync every store write (group-committed): acknowledged events survive power loss, not only a crash',
  },
  {
    name: 'durability',
    kind: 'string',
    arg: 'WHEN',
    choices: [...DURABILITIES],
    help: 'when held permission events are answered: decided (default: as soon as the verdict exists, the batch written behind it; gRPC exporters get a verdict message before the acknowledgement) or strict (only once the batch holding its effects is persisted); acknowledgements always mean persisted',
  },
  {
    name: 'salvage',
    kind: 'flag',
    help: 'start even though the store lost acknowledged data (a damaged write-ahead log, a high-water mark it falls short of): go on with what it holds (records that fail the store key MAC are still refused)',
  },
  {
    name: 'no-auto-create',
    kind: 'flag',
    help: 'reject events for namespaces not created through Control',
  },
  {
    name: 'canister-grace-ms',
    kind: 'string',
    arg: 'N',
    help: "how long a finished canister's (tsem run) late events are still routed to its namespace (default 60000)",
  },
  ...TLS_SERVER_OPTIONS,
  {
    name: 'http',
    kind: 'string',
    arg: 'ADDR',
    help: 'HTTP listener for the web console (/console/), /metrics, /healthz and /version (off by default; same auth and TLS as gRPC)',
  },
  ALERT_OPTION,
  {
    name: 'incident-quiet',
    kind: 'string',
    arg: 'SECONDS',
    help: 'an incident with no event for this long closes (default 600)',
  },
  {
    name: 'incident-update',
    kind: 'string',
    arg: 'SECONDS',
    help: "an open incident's changes go out at most this often (default 30)",
  },
  {
    name: 'incident-burst',
    kind: 'string',
    arg: 'N',
    help: 'incidents that may open at once per namespace and severity (default 10; 0 = no limit)',
  },
  {
    name: 'incident-rate',
    kind: 'string',
    arg: 'N',
    help: 'incidents per minute per namespace and severity after the burst (default 10)',
  },
  {
    name: 'alert-retention-days',
    kind: 'string',
    arg: 'N',
    help: 'keep alert-log records and closed incidents this many days (default 30)',
  },
  {
    name: 'alert-retention-records',
    kind: 'string',
    arg: 'N',
    help: 'keep at most this many alert-log records (default 100000)',
  },
  {
    name: 'log-level',
    kind: 'string',
    arg: 'LEVEL',
    choices: ['debug', 'info', 'warn', 'error'],
    help: 'least level logged (default info)',
  },
  {
    name: 'log-format',
    kind: 'string',
    arg: 'FORM',
    choices: ['json', 'text'],
    help: 'log lines as JSON objects (default) or text',
  },
  ...NATS_OPTIONS,
  {
    name: 'engine-id',
    kind: 'string',
    arg: 'NAME',
    help: "fleet: this engine's name in the pool (default: a new random id each start)",
  },
  {
    name: 'lease-ms',
    kind: 'string',
    arg: 'N',
    help: "fleet: a namespace's lease lapses when not renewed for N ms (default 3000)",
  },
  {
    name: 'snapshot-ms',
    kind: 'string',
    arg: 'N',
    help: 'fleet: snapshot each owned namespace at most every N ms (default 1000)',
  },
  {
    name: 'no-pool',
    kind: 'flag',
    help: "fleet: a host's own engine: join no pool, decide locally, publish this engine's verdicts, incidents and namespace models as --host (docs/fleet.md §7)",
  },
  {
    name: 'host',
    kind: 'string',
    arg: 'NAME',
    help: "with --no-pool: this host's name in the fleet, as tsem export --host (default this machine's name)",
  },
  {
    name: 'nats-keep-applied',
    kind: 'flag',
    help: 'fleet: keep applied events in the stream (audit, replay) instead of purging them after a snapshot',
  },
  {
    name: 'config',
    kind: 'string',
    arg: 'FILE',
    help: 'JSON file of these options by long name (command-line options win)',
  },
];

/** Engine options common to serve and demo. */
export function engineOptions(args: ParsedArgs) {
  const cert = args.values.get('tls-cert');
  const key = args.values.get('tls-key');
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  const clientCa = args.values.get('tls-client-ca');
  if (clientCa !== undefined && cert === undefined)
    throw new UsageError('--tls-client-ca needs --tls-cert and --tls-key');
  return {
    listen: args.values.get('listen'),
    dataDir: args.values.get('data'),
    digest: args.values.get('digest'),
    autoCreate: !args.flags.has('no-auto-create'),
    sync: args.flags.has('sync'),
    durability: args.values.get('durability') as Durability | undefined,
    ...(args.flags.has('no-idle-gc') ? { idleGc: false } : {}),
    workers: workersOption(args.values.get('workers')),
    salvage: args.flags.has('salvage'),
    canisterGraceMs: args.values.has('canister-grace-ms')
      ? intOption(args.values.get('canister-grace-ms'), '--canister-grace-ms', 60_000, 0)
      : undefined,
    tls: cert && key ? { cert, key, clientCa } : undefined,
    insecure: args.flags.has('insecure'),
    authFile: args.values.get('auth'),
  };
}

function workersOption(raw: string | undefined): number {
  const n = intOption(raw, '--workers', 0, 0);
  if (n > MAX_SHARD_WORKERS)
    throw new UsageError(
      `--workers expects at most ${MAX_SHARD_WORKERS} on this machine, got ${n}`
    );
  return n;
}

function sourceSpec(args: ParsedArgs): SourceSpec | undefined {
  const source = args.values.get('source') ?? 'none';
  const namespace = args.values.get('namespace');
  if (source === 'sim') {
    return {
      kind: 'sim',
      scenario: args.values.get('scenario'),
      rate: intOption(args.values.get('rate'), '--rate', 2000, 1),
      namespace,
    };
  }
  if (source === 'fanotify' || source === 'audit') {
    return {
      kind: source,
      watch: args.lists.get('watch'),
      markKind: args.values.get('mark') as FanotifyMarkKind | undefined,
      enforce: args.flags.has('enforce'),
      decisionTimeoutMs: args.values.has('timeout-ms')
        ? intOption(args.values.get('timeout-ms'), '--timeout-ms', 2000, 1)
        : undefined,
      failMode: args.flags.has('fail-closed') ? 'closed' : 'open',
      ...(args.flags.has('no-verdict-cache') ? { verdictCache: false } : {}),
      namespace: args.values.get('ns-rule') ?? (namespace ? `host:${namespace}` : undefined),
      digestAlgorithm: args.values.get('digest'),
      auditPpid: args.values.has('audit-ppid')
        ? intOption(args.values.get('audit-ppid'), '--audit-ppid', 1, 1)
        : undefined,
    };
  }
  if (args.lists.get('watch')?.length || args.flags.has('enforce') || args.values.has('mark'))
    throw new UsageError('--watch, --mark and --enforce apply to --source fanotify');
  return undefined;
}

function imaOptions(args: ParsedArgs): ImaOptions | undefined {
  const policyFile = args.values.get('ima-policy');
  const keyFiles = args.lists.get('ima-key') ?? [];
  if (!args.flags.has('ima') && policyFile === undefined && keyFiles.length === 0) return undefined;
  return {
    policyFile,
    keyFiles,
    ...(args.flags.has('ima-local-files') ? { localFiles: true } : {}),
  };
}

function akHandleOption(raw: string | undefined): { akHandle?: number } {
  if (raw === undefined) return {};
  if (!/^(0x)?[0-9a-fA-F]{8}$/.test(raw))
    throw new UsageError(
      `--ak-handle expects a persistent handle such as 0x81010010, got '${raw}'`
    );
  const handle = Number.parseInt(raw.replace(/^0x/i, ''), 16);
  if (handle < 0x81000000 || handle > 0x817fffff)
    throw new UsageError(`--ak-handle expects a handle in 0x81000000-0x817fffff, got '${raw}'`);
  return { akHandle: handle };
}

function alertOptions(args: ParsedArgs): AlertOptions {
  const seconds = (name: string, dflt: number) =>
    intOption(args.values.get(name), `--${name}`, dflt, 1) * 1000;
  const outputs = alertOutputs(args);
  return {
    outputs,
    quietMs: seconds('incident-quiet', 600),
    updateIntervalMs: seconds('incident-update', 30),
    rateLimit: {
      burst: intOption(args.values.get('incident-burst'), '--incident-burst', 10, 0),
      perMinute: intOption(args.values.get('incident-rate'), '--incident-rate', 10, 1),
    },
    retention: {
      maxAgeMs:
        intOption(args.values.get('alert-retention-days'), '--alert-retention-days', 30, 1) *
        86_400_000,
      maxRecords: intOption(
        args.values.get('alert-retention-records'),
        '--alert-retention-records',
        100_000,
        100
      ),
    },
  };
}

function limitOptions(list: readonly string[]): Partial<Limits> {
  const out: Partial<Record<keyof Limits, number>> = {};
  for (const item of list) {
    const m = /^(\w+)=(\d+)$/.exec(item);
    if (!m || !(m[1]! in DEFAULT_LIMITS))
      throw new UsageError(
        `--limit expects NAME=N with NAME one of ${Object.keys(DEFAULT_LIMITS).join(', ')}, got '${item}'`
      );
    out[m[1] as keyof Limits] = intOption(m[2], `--limit ${m[1]}`, 0, 1);
  }
  return out;
}

/** The whole engine program as declarative options (what the configuration file fills too). */
export function serveOptions(
  args: ParsedArgs,
  log?: Log,
  defaultKey: () => string | undefined = () => undefined
): EngineOptions {
  const source = sourceSpec(args);
  const key = args.values.get('store-key');
  return {
    http: args.values.get('http'),
    alerts: alertOptions(args),
    logging: {
      level: args.values.get('log-level') as LogLevel | undefined,
      format: args.values.get('log-format') as LogFormat | undefined,
    },
    ...engineOptions(args),
    storeKeyFile: key === 'none' ? undefined : (key ?? defaultKey()),
    modelKeyFiles: args.lists.get('model-key') ?? [],
    limits: limitOptions(args.lists.get('limit') ?? []),
    requireSignedModels: args.flags.has('require-signed-models'),
    ima: imaOptions(args),
    tpm: args.values.get('tpm'),
    ...akHandleOption(args.values.get('ak-handle')),
    rootNamespace: args.values.get('root-namespace'),
    agent: args.flags.has('attest')
      ? {
          platformSecretFile: args.values.get('platform-secret'),
          publicKeyOut: args.values.get('agent-key-out'),
        }
      : undefined,
    sources: source ? [source] : [],
    fleet: fleetOptions(args),
    ...(log ? { log } : {}),
  };
}

function fleetOptions(args: ParsedArgs): FleetOptions | undefined {
  const nats = natsOptions(args);
  const poolOnly = ['engine-id', 'lease-ms', 'snapshot-ms'].find((o) => args.values.has(o));
  if (!nats) {
    const stray =
      poolOnly ??
      ['nats-keep-applied', 'no-pool'].find((f) => args.flags.has(f)) ??
      (args.values.has('host') ? 'host' : undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} needs --nats URL`);
    return undefined;
  }
  const host = args.values.get('host');
  if (!args.flags.has('no-pool')) {
    if (host !== undefined) throw new UsageError('--host applies with --no-pool only');
  } else {
    if (poolOnly !== undefined || args.flags.has('nats-keep-applied'))
      throw new UsageError(
        `--${poolOnly ?? 'nats-keep-applied'} applies to a pool engine, not --no-pool`
      );
    return { nats, publish: { host: host ?? hostname() } };
  }
  const leaseMs = intOption(args.values.get('lease-ms'), '--lease-ms', 3000, 300);
  const engineId = args.values.get('engine-id');
  if (engineId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(engineId))
    throw new UsageError(`--engine-id expects 1-64 letters, digits, _ or -, got '${engineId}'`);
  return {
    nats,
    pool: {
      leaseMs,
      heartbeatMs: Math.floor(leaseMs / 4),
      snapshotMs: intOption(args.values.get('snapshot-ms'), '--snapshot-ms', 1000, 10),
      keepApplied: args.flags.has('nats-keep-applied'),
      ...(engineId !== undefined ? { engineId } : {}),
    },
  };
}

async function run(cliArgs: ParsedArgs, io: Io): Promise<number> {
  const { startEngine } = await import('../../daemon/start-engine.js');
  const { shutdownSignals } = await import('../../daemon/shutdown.js');
  const { createLog } = await import('../../common/log.js');
  const { ConfigError, overlay, readConfig } = await import('../config-file.js');
  let args = cliArgs;
  const configFile = cliArgs.values.get('config');
  let opts: EngineOptions;
  try {
    if (configFile !== undefined) args = overlay(readConfig(SERVE_SPEC, configFile), cliArgs);
    const { defaultStoreKeyPath } = await import('../../engine/store/store-key.js');
    opts = serveOptions(args, undefined, () => defaultStoreKeyPath());
  } catch (err) {
    if (!(err instanceof ConfigError) && !(configFile !== undefined && err instanceof UsageError))
      throw err;
    // A bad configuration file is bad input data (exit 65), named with the key at fault.
    io.err(
      `tsem serve: ${err.message}${err instanceof UsageError ? ` (command line or ${configFile})` : ''}\n`
    );
    return 65;
  }
  const log = createLog('tsem', io.err, {
    level: opts.logging?.level,
    format: opts.logging?.format,
  });
  // Installed before the start: a signal while starting stops the engine as soon as it runs.
  const signals = shutdownSignals({ log });
  try {
    let engine;
    try {
      engine = await startEngine({ ...opts, log });
    } catch (err) {
      // The fleet's NATS unreachable or refusing this engine's credentials: 69 and 77, as every client.
      const code = (err as { code?: unknown }).code;
      if (!opts.fleet || (code !== 'TSEM_UNAVAILABLE' && code !== 'TSEM_UNAUTHENTICATED'))
        throw err;
      io.err(`tsem serve: ${errorMessage(err)}\n`);
      return code === 'TSEM_UNAVAILABLE' ? 69 : 77;
    }
    try {
      log(`watch it live: npx tsem watch --server ${engine.address}`);
      const sig = await Promise.race([signals.signalled, engine.sourcesEnded]);
      log(`stopping (${sig})`);
    } finally {
      await engine.stop();
    }
    return 0;
  } finally {
    signals.dispose();
  }
}

export const SERVE_SPEC: CommandSpec = {
  name: 'serve',
  summary: 'run the engine server (gRPC Ingest, Monitor, Control, Operations) on its LevelDB store',
  usage: '',
  positionals: [0, 0],
  options: OPTIONS,
  details:
    'Listens on loopback by default. The admin token for Control mutations is written to <data>/admin.token (mode 0600).\n' +
    'On loopback without TLS (and no --auth file) anyone on this machine may stream events and watch; off loopback every call needs a token or a client certificate, and without TLS the server refuses to start unless --insecure.\n' +
    'An --auth identities file is deny by default: callers without credentials get only what its "anonymous" entry grants.\n' +
    'Data: --data, else $TSEM_DATA_DIR, else /var/lib/tsem for root, else ~/.local/share/tsem.\n' +
    'Webhook outputs sign with the secret in $TSEM_WEBHOOK_SECRET (or the variable named by ;secret-env=NAME).\n' +
    "Durability: acknowledged events are persisted (--sync: fsync'd); a store that lost acknowledged data refuses to start, naming it (exit 74), unless --salvage.\n" +
    'SIGTERM/SIGINT stop within 2 s (exit 0); a second signal exits at once.\n' +
    'A bad --config file exits with status 65, naming the key. docs/operations.md has examples.\n' +
    'With --nats URL the engine joins a fleet on NATS JetStream: it owns namespaces of the events stream by lease and hands them over when it stops (docs/fleet.md).\n' +
    "With --nats URL --no-pool it is a host's own engine: it joins no pool, decides alone, and publishes its verdicts, incidents and namespace models to the fleet as --host (docs/fleet.md §7).",
};

export const commands: Command[] = [{ spec: SERVE_SPEC, run }];
