/**
 * `tsem export`: stream events into a running engine's Ingest service, from the simulator, a
 * trajectory file, or a live source (fanotify, audit) / an auditd log (exporter/sources.ts).
 * Across engine restarts it reconnects and sends again what was not acknowledged (the engine
 * applies each event once); a file run that is interrupted resumes where the engine acknowledged
 * it (exporter/exporter-state.ts). The exit status says whether everything was accepted.
 */
import { accessSync, constants } from 'node:fs';
import { intOption, type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import { CONNECTION_OPTIONS, describeCallError, runRemote, type TsemClients } from '../client.js';
import type { Command, Io } from '../command.js';
import { EXIT, exitStatusOfGrpc } from '../exit-status.js';
import { JSON_OPTION } from '../output.js';
import type { ExportItem, ExportStats, WireVerdict } from '../../exporter/grpc-exporter.js';
import type { FanotifyMarkKind } from '../../exporter/fanotify/fanotify-options.js';
import type { ExporterIdentity, ExporterState, FileRun } from '../../exporter/exporter-state.js';
import type { DropCounts } from '../../exporter/source.js';
import { MAX_BATCH_EVENTS as MAX_BATCH } from '../../proto/limits.js';
import { errorMessage } from '../../common/errors.js';
import { natsOptions, NATS_OPTIONS } from '../nats-options.js';
import type { NatsOptions } from '../../fleet/nats/connect.js';
import type { ShutdownSignals } from '../../daemon/shutdown.js';

const SOURCES = ['sim', 'file', 'fanotify', 'audit', 'audit-log'] as const;
type SourceName = (typeof SOURCES)[number];
export const DEFAULT_NAMESPACE = 'default';
/** tsem.proto EventBatch: at most 4096 events. */
const UINT32_MAX = 0xffff_ffff;

const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'source',
    kind: 'string',
    arg: 'KIND',
    choices: SOURCES,
    help: 'where events come from (required)',
  },
  { name: 'to', kind: 'string', arg: 'ADDR', help: 'alias of --server' },
  {
    name: 'namespace',
    kind: 'string',
    arg: 'NS',
    help: `modeling namespace (default ${DEFAULT_NAMESPACE}; fanotify/audit: host@HOSTNAME)`,
  },
  { name: 'scenario', kind: 'string', arg: 'NAME', help: "sim: the scenario ('list' prints them)" },
  { name: 'seed', kind: 'string', arg: 'N', help: 'sim: uint32 seed (default 1)' },
  { name: 'iterations', kind: 'string', arg: 'N', help: 'sim: workload iterations (default 1)' },
  {
    name: 'rate',
    kind: 'string',
    arg: 'N',
    help: 'events per second (default: as fast as the engine acknowledges)',
  },
  {
    name: 'batch',
    kind: 'string',
    arg: 'N',
    help: `events per batch (default 512, at most ${MAX_BATCH})`,
  },
  { name: 'watch', kind: 'list', arg: 'PATH', help: 'fanotify: a path to watch (repeatable)' },
  {
    name: 'enforce',
    kind: 'flag',
    help: "fanotify: hold opens and execs for the engine's verdict (answered as soon as the engine decides, before it persists, unless it runs with --durability strict)",
  },
  {
    name: 'no-verdict-cache',
    kind: 'flag',
    help: 'fanotify --enforce: ask the engine for every held open (default: repeated opens the engine marked cacheable are answered by the reader thread until the engine says its decisions changed, and still reported)',
  },
  {
    name: 'timeout-ms',
    kind: 'string',
    arg: 'N',
    help: 'fanotify: verdict timeout (default 2000)',
  },
  {
    name: 'fail-open',
    kind: 'flag',
    help: 'fanotify: allow when no verdict comes in time (default)',
  },
  { name: 'fail-closed', kind: 'flag', help: 'fanotify: deny when no verdict comes in time' },
  {
    name: 'ns-rule',
    kind: 'string',
    arg: 'RULE',
    help: 'live sources: host (default), linux-ns or cgroup',
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
  JSON_OPTION,
  {
    name: 'retry-for',
    kind: 'string',
    arg: 'SECONDS',
    help: 'keep reconnecting to a lost engine this long without an acknowledgement (default 60; 0: give up at once)',
  },
  {
    name: 'state',
    kind: 'string',
    arg: 'DIR',
    help: 'exporter state: its id and how far each file was acknowledged (default $TSEM_STATE_DIR, else ~/.local/state/tsem)',
  },
  {
    name: 'from-start',
    kind: 'flag',
    help: 'file: send the whole file, even after an interrupted run (default: resume after what was acknowledged)',
  },
  ...CONNECTION_OPTIONS,
  ...NATS_OPTIONS,
  {
    name: 'host',
    kind: 'string',
    arg: 'NAME',
    help: "with --nats: the host the events come from, as the fleet's subjects and credentials name it (default this machine's name)",
  },
];

const DEFAULT_RETRY_SECONDS = 60;
/** How often a file run's acknowledged position is saved (and at the end). */
const PROGRESS_EVERY_MS = 500;

/** The events to send and how to stop them early (Ctrl-C). */
interface Input {
  readonly items: AsyncIterable<ExportItem>;
  readonly stop: () => void;
  /** Aborted by stop() for offline inputs: the exporter stops reading at once. */
  readonly signal?: AbortSignal;
  /** Called once the export is over (closes a live source, reports its counters). */
  readonly finish?: () => Promise<void>;
  /** How the engine numbers this run's events (exactly-once). */
  readonly identity: ExporterIdentity;
  /** A file run: its progress is saved as acknowledgements come, and forgotten once complete. */
  readonly run?: FileRun;
  /** Whether the whole input was read (not stopped early). */
  readonly exhausted: () => boolean;
  /** The source's drops by cause (live sources). */
  readonly drops?: () => DropCounts;
  /** Empties the source's verdict cache, when it keeps one. */
  readonly verdictCache?: () => void;
}

async function listing(out: (t: string) => void): Promise<void> {
  const { listScenarios } = await import('../../exporter/sim/index.js');
  const rows = listScenarios();
  const w = Math.max(...rows.map((s) => s.name.length)) + 2;
  out(
    [
      'scenarios:',
      ...rows.map((s) => `  ${s.name.padEnd(w)}${s.kind.padEnd(8)}${s.description}`),
    ].join('\n') + '\n'
  );
}

async function simInput(
  args: ParsedArgs,
  namespace: string,
  ac: AbortController,
  state: ExporterState
): Promise<Input> {
  const { createScenario } = await import('../../exporter/sim/index.js');
  const seed = intOption(args.values.get('seed'), '--seed', 1);
  if (seed > UINT32_MAX)
    throw new UsageError(`--seed expects a uint32 (at most ${UINT32_MAX}), got ${seed}`);
  const scenario = createScenario(args.values.get('scenario')!, {
    seed,
    iterations: intOption(args.values.get('iterations'), '--iterations', 1, 1),
  });
  let exhausted = false;
  async function* items(): AsyncGenerator<ExportItem> {
    for (const event of scenario.events()) yield { namespace, event };
    exhausted = true;
  }
  return {
    items: items(),
    stop: () => ac.abort(),
    signal: ac.signal,
    identity: state.session(),
    exhausted: () => exhausted,
  };
}

async function fileInput(
  path: string,
  namespace: string,
  ac: AbortController,
  run: FileRun
): Promise<Input> {
  const { readTrajectoryLines } = await import('../../exporter/sim/index.js');
  let exhausted = false;
  async function* items(): AsyncGenerator<ExportItem> {
    let n = 0;
    // Raw lines go as kernel_json: the engine hashes pathnames as the file's exact bytes.
    for await (const l of readTrajectoryLines(path, { signal: ac.signal }))
      if (n++ >= run.skip) yield { namespace, event: l.line };
    exhausted = !ac.signal.aborted;
  }
  return {
    items: items(),
    stop: () => ac.abort(),
    signal: ac.signal,
    identity: run.identity,
    run,
    exhausted: () => exhausted,
  };
}

function liveOptions(kind: SourceName, args: ParsedArgs) {
  if (args.flags.has('fail-open') && args.flags.has('fail-closed'))
    throw new UsageError('--fail-open and --fail-closed exclude each other');
  const rule = args.values.get('ns-rule') ?? 'host';
  const ns = args.values.get('namespace');
  if (ns !== undefined && rule !== 'host')
    throw new UsageError(
      `--namespace names the host rule's namespace; --ns-rule ${rule} names namespaces itself`
    );
  const timeout = args.values.get('timeout-ms');
  return {
    watch: args.lists.get('watch'),
    markKind: args.values.get('mark') as FanotifyMarkKind | undefined,
    enforce: args.flags.has('enforce'),
    verdictCache: kind === 'fanotify' && !args.flags.has('no-verdict-cache'),
    decisionTimeoutMs:
      timeout === undefined ? undefined : intOption(timeout, '--timeout-ms', 2000, 1),
    failMode: args.flags.has('fail-closed') ? ('closed' as const) : ('open' as const),
    // No --namespace: the rule names it after this host (host@HOSTNAME), never a name every machine shares.
    namespace: rule === 'host' && ns !== undefined ? `host:${ns}` : rule,
    logFile: kind === 'audit-log' ? args.positionals[0] : undefined,
    auditPpid: args.values.has('audit-ppid')
      ? intOption(args.values.get('audit-ppid'), '--audit-ppid', 1, 1)
      : undefined,
  };
}

async function liveInput(
  kind: 'fanotify' | 'audit' | 'audit-log',
  args: ParsedArgs,
  io: Io,
  state: ExporterState
): Promise<Input> {
  const { createSource } = await import('../../exporter/sources.js');
  const options = liveOptions(kind, args);
  const failOpen = options.failMode === 'open';
  const source = createSource(kind, options);
  await source.start();
  let exhausted = false;
  let stopped = false;
  // A denial stands; no action (an event the engine rejected): the source's fail mode.
  const allows = (v: WireVerdict) =>
    v.action === 'ACTION_DENY'
      ? false
      : v.kind === 'VERDICT_KIND_ERROR' ||
          v.action === 'ACTION_UNSPECIFIED' ||
          v.action === undefined
        ? failOpen
        : true;
  async function* items(): AsyncGenerator<ExportItem> {
    for await (const ev of source) {
      const { namespace, event, cgroupId, respond, onVerdict } = ev;
      // A held permission event gets the engine's action; one the engine could not judge (it
      // rejected it) gets the fail mode, unless the engine keeps a denial for it. One the verdict
      // cache answered already is told what the engine decided (a disagreement empties the cache).
      // Literals, not `{ ...item, respond }`: slow in Node 20 (exporter/source.ts).
      if (respond)
        yield {
          namespace,
          event,
          cgroupId,
          respond: (v, remember) => respond(allows(v), remember),
        };
      else if (onVerdict)
        yield { namespace, event, cgroupId, onVerdict: (v) => onVerdict(allows(v), v.cacheable) };
      else yield { namespace, event, cgroupId };
    }
    exhausted = !stopped;
  }
  return {
    items: items(),
    stop: () => {
      stopped = true;
      void source.stop();
    },
    identity: state.session(),
    exhausted: () => exhausted,
    drops: () => source.drops(),
    ...(source.verdictCache ? { verdictCache: () => source.invalidate?.() } : {}),
    finish: async () => {
      await source.stop();
      const counters = Object.entries(source.stats()).filter(([, n]) => n !== 0);
      if (counters.length > 0)
        io.err(`source ${kind}: ${counters.map(([k, n]) => `${k} ${n}`).join(' ')}\n`);
      const drops = Object.entries(source.drops()).filter(([, n]) => n !== 0);
      if (drops.length > 0)
        io.err(`source ${kind} dropped: ${drops.map(([k, n]) => `${k} ${n}`).join(' ')}\n`);
    },
  };
}

function checkArgs(kind: SourceName, args: ParsedArgs): void {
  const needsFile = kind === 'file' || kind === 'audit-log';
  if (needsFile && args.positionals.length !== 1)
    throw new UsageError(
      `--source ${kind} expects one ${kind === 'file' ? '<trajectory>' : '<audit-log>'} file`
    );
  if (!needsFile && args.positionals.length > 0)
    throw new UsageError(`--source ${kind} takes no file argument, got '${args.positionals[0]}'`);
  for (const o of ['scenario', 'seed', 'iterations']) {
    if (kind !== 'sim' && args.values.has(o))
      throw new UsageError(`--${o} applies to --source sim only`);
  }
  if (kind === 'sim' || kind === 'file') {
    const live = [
      'watch',
      'enforce',
      'no-verdict-cache',
      'timeout-ms',
      'fail-open',
      'fail-closed',
      'ns-rule',
      'mark',
      'audit-ppid',
    ].find((o) => args.values.has(o) || args.flags.has(o) || args.lists.has(o));
    if (live !== undefined)
      throw new UsageError(
        `--${live} applies to the live sources (fanotify, audit, audit-log), not --source ${kind}`
      );
  }
  const batch = intOption(args.values.get('batch'), '--batch', 512, 1);
  if (batch > MAX_BATCH)
    throw new UsageError(
      `--batch expects at most ${MAX_BATCH} events (the engine's limit), got ${batch}`
    );
}

/** The summary line's numbers as one JSON object (`--json`). */
function exportSummaryJson(s: ExportStats): Record<string, number> {
  const k = (kind: string): number => s.kinds[kind as keyof typeof s.kinds] ?? 0;
  return {
    sent: s.sent,
    acked: s.acked,
    learned: k('VERDICT_KIND_LEARNED'),
    'on-contour': k('VERDICT_KIND_ON_CONTOUR'),
    'off-contour': k('VERDICT_KIND_OFF_CONTOUR') + k('VERDICT_KIND_WOULD_BE_OFF_CONTOUR'),
    denied: s.denied,
    errors: s.errors,
    duplicates: s.duplicates,
  };
}

/** The exit status of a finished export: 0 when every event was accepted and nothing was found. */
function exitStatus(stats: ExportStats, offContour: (s: ExportStats) => number): number {
  return stats.errors > 0 || stats.denied > 0 || offContour(stats) > 0 ? EXIT.found : EXIT.ok;
}

async function send(
  c: TsemClients,
  input: Input,
  signals: ShutdownSignals,
  kind: SourceName,
  args: ParsedArgs,
  io: Io
): Promise<number> {
  const { exportToIngest, formatExportSummary, ExportError } =
    await import('../../exporter/grpc-exporter.js');
  const { offContourCount } = await import('../../exporter/export-stats.js');
  const rateRaw = args.values.get('rate');
  void signals.signalled.then(() => input.stop());
  const report = (stats: ExportStats): void => {
    if (args.flags.has('json'))
      io.out(`${JSON.stringify({ summary: exportSummaryJson(stats) })}\n`);
    else io.out(formatExportSummary(stats) + '\n');
    for (const e of stats.errorSamples) io.err(`rejected: ${e}\n`);
  };
  const retryFor = intOption(args.values.get('retry-for'), '--retry-for', DEFAULT_RETRY_SECONDS, 0);
  let acked = 0;
  const saver = input.run && setInterval(() => input.run!.progress(acked), PROGRESS_EVERY_MS);
  saver?.unref();
  try {
    const stats = await exportToIngest(() => c.ingest.Stream(c.metadata), input.items, {
      exporter: kind,
      batchSize: intOption(args.values.get('batch'), '--batch', 512, 1),
      rate: rateRaw === undefined ? undefined : intOption(rateRaw, '--rate', 0, 1),
      signal: input.signal,
      identity: input.identity,
      retryForMs: retryFor * 1000,
      onRetry: (m) => io.err(`tsem export: ${m}\n`),
      onAcked: (n) => (acked = n),
      drops: input.drops,
      verdictCache: input.verdictCache,
    });
    report(stats);
    if (input.run) {
      // A complete run is forgotten (replaying the file is then a new run); a stopped one resumes.
      if (input.exhausted()) input.run.finish();
      else input.run.progress(stats.acked);
    }
    return exitStatus(stats, offContourCount);
  } catch (err) {
    if (!(err instanceof ExportError)) throw err;
    input.run?.progress(err.stats.acked);
    report(err.stats);
    const cause = err.cause as { code?: unknown } | undefined;
    io.err(
      `tsem export: ${typeof cause?.code === 'number' ? describeCallError(cause, c.address, c.hasToken, c.withheld) : err.message}\n`
    );
    if (err.code === 'TSEM_PARSE') return EXIT.dataErr;
    return typeof cause?.code === 'number' ? exitStatusOfGrpc(cause.code) : EXIT.unavailable;
  } finally {
    clearInterval(saver);
    await input.finish?.();
  }
}

/**
 * SIGTERM/SIGINT: stop reading, send what was read, wait for its acknowledgement (bounded by the
 * shutdown deadline), remove kernel state; a second signal exits at once. Taken before a source
 * starts, so a signal while it adds its audit rule or marks still removes them.
 */
async function exportSignals(io: Io): Promise<ShutdownSignals> {
  const { shutdownSignals } = await import('../../daemon/shutdown.js');
  return shutdownSignals({ log: (m) => io.err(`tsem export: ${m}\n`) });
}

/** A source that cannot start: why, as an exit status. */
function startFailure(err: unknown, io: Io): number {
  const code = (err as { code?: unknown }).code;
  if (!(err instanceof Error) || typeof code !== 'string' || !code.startsWith('TSEM_')) throw err;
  io.err(`tsem export: ${err.message}\n`);
  if (code === 'TSEM_PERMISSION') return EXIT.noPerm;
  if (code === 'TSEM_INVALID_ARGUMENT') return EXIT.usage;
  return EXIT.unavailable;
}

/** `--nats`: into the fleet's events stream; acknowledged means stored by JetStream. */
async function sendToNats(
  nats: NatsOptions,
  kind: SourceName,
  namespace: string,
  ac: AbortController,
  args: ParsedArgs,
  io: Io
): Promise<number> {
  if (args.flags.has('enforce'))
    throw new UsageError(
      '--enforce needs a local engine (--to): held events are decided locally, never across the fleet (docs/fleet.md §7)'
    );
  const engineOnly = ['server', 'to', 'token-file', 'retry-for', 'from-start'].find(
    (o) => args.values.has(o) || args.flags.has(o)
  );
  if (engineOnly !== undefined)
    throw new UsageError(`--nats sends to the fleet: --${engineOnly} applies to an engine`);
  if (args.values.has('rate'))
    throw new UsageError(
      '--rate applies to --to (an engine); --nats sends as fast as JetStream stores'
    );
  const { hostname } = await import('node:os');
  const { connectNats } = await import('../../fleet/nats/connect.js');
  const { hostInbox } = await import('../../fleet/nats/names.js');
  const { exportToNats, formatNatsSummary } = await import('../../fleet/export/nats-exporter.js');
  const host = args.values.get('host') ?? hostname();
  const summaryLine = (s: Parameters<typeof formatNatsSummary>[0]) =>
    args.flags.has('json') ? JSON.stringify({ summary: s }) + '\n' : formatNatsSummary(s) + '\n';
  let nc;
  try {
    nc = await connectNats({ name: `tsem-export-${host}`, inboxPrefix: hostInbox(host), ...nats });
  } catch (err) {
    io.err(`tsem export: ${errorMessage(err)}\n`);
    return (err as { code?: string }).code === 'TSEM_UNAUTHENTICATED'
      ? EXIT.noPerm
      : EXIT.unavailable;
  }
  const { ExporterState, defaultStateDir } = await import('../../exporter/exporter-state.js');
  const state = ExporterState.open(args.values.get('state') ?? defaultStateDir());
  // JetStream de-duplicates by message id; a file run over NATS does not resume (sent whole).
  const once: FileRun = {
    identity: state.session(),
    skip: 0,
    progress: () => undefined,
    finish: () => undefined,
  };
  const signals = await exportSignals(io);
  let input: Input;
  try {
    input =
      kind === 'sim'
        ? await simInput(args, namespace, ac, state)
        : kind === 'file'
          ? await fileInput(args.positionals[0]!, namespace, ac, once)
          : await liveInput(kind, args, io, state);
  } catch (err) {
    signals.dispose();
    await nc.close();
    throw err;
  }
  void signals.signalled.then(() => input.stop());
  try {
    const stats = await exportToNats(nc, input.items, {
      host,
      exporter: kind,
      batchSize: intOption(args.values.get('batch'), '--batch', 512, 1),
      signal: input.signal,
      notice: (m) => io.err(`tsem export: ${m}\n`),
    });
    io.out(summaryLine(stats));
    return EXIT.ok;
  } catch (err) {
    const e = err as Error & { code?: string; stats?: Parameters<typeof formatNatsSummary>[0] };
    if (e.stats) io.out(summaryLine(e.stats));
    io.err(`tsem export: ${errorMessage(err)}\n`);
    return e.code === 'TSEM_PERMISSION' ? EXIT.noPerm : EXIT.unavailable;
  } finally {
    await input.finish?.();
    signals.dispose();
    await nc.close();
  }
}

export const commands: Command[] = [
  {
    spec: {
      name: 'export',
      summary: 'stream events (simulator, trajectory file, fanotify, audit) into a running engine',
      usage: '[<trajectory>|<audit-log>]',
      positionals: [0, 1],
      options: OPTIONS,
      details: [
        'tsem export --source sim --scenario NAME [--seed N] [--iterations N] --server ADDR',
        'tsem export --source file <trajectory> --server ADDR',
        'tsem export --source fanotify --watch PATH [--enforce] --server ADDR   (root)',
        '  --watch PATH covers the files under PATH (a mount mark filtered by path); --mark mount',
        '  takes the whole mount, --mark directory only PATH and its direct children.',
        'tsem export --source audit --server ADDR                               (root)',
        'tsem export --source audit-log <audit.log> --server ADDR',
        'Prints: sent N acked N learned N on-contour N off-contour N denied N errors N duplicates N',
        '(--json: one {"summary": …} object).',
        '',
        'A lost engine is reconnected (--retry-for); what it had not acknowledged is sent again and',
        'applied once (duplicates N: sent again, already applied). An interrupted file run resumes',
        'after what was acknowledged (--state, --from-start); a live source loses what it held.',
        '',
        'Exit status (the table of tsem --help): 0 every event accepted, none off-contour or denied;',
        '1 some were rejected, off-contour or denied; 2 usage error; 65 a bad input event; 69 the',
        'engine is unreachable (after --retry-for) or the stream failed; 70 internal error; 74 the',
        'input file cannot be read; 77 not permitted (live sources need root).',
        '',
        'tsem export --source KIND … --nats URL [--host NAME] [--nats-user U --nats-password-file F | --nats-nkey F] [--nats-ca F]',
        'With --nats: sent N acked N messages N duplicates N retries N unacked N (acked: stored by JetStream; verdicts go to the fleet outputs, tsem watch --nats).',
      ].join('\n'),
    },
    async run(args, io) {
      const kind = args.values.get('source') as SourceName | undefined;
      if (kind === undefined) throw new UsageError(`--source expects one of ${SOURCES.join('|')}`);
      checkArgs(kind, args);
      if (kind === 'sim') {
        const { listScenarios } = await import('../../exporter/sim/index.js');
        const name = args.values.get('scenario');
        if (name === 'list') return listing(io.out).then(() => 0);
        if (name === undefined || !listScenarios().some((s) => s.name === name)) {
          io.err(
            name === undefined
              ? 'tsem export: --source sim expects --scenario NAME\n'
              : `tsem export: unknown scenario '${name}'\n`
          );
          await listing(io.err);
          return 2;
        }
      }
      if (kind === 'file' || kind === 'audit-log') {
        const path = args.positionals[0]!;
        try {
          accessSync(path, constants.R_OK);
        } catch (err) {
          io.err(
            `tsem export: cannot read ${kind === 'file' ? 'trajectory' : 'audit log'} file '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`
          );
          return EXIT.ioErr;
        }
      }
      intOption(args.values.get('retry-for'), '--retry-for', DEFAULT_RETRY_SECONDS, 0);
      if (args.flags.has('from-start') && kind !== 'file')
        throw new UsageError('--from-start applies to --source file');
      const namespace = args.values.get('namespace') ?? DEFAULT_NAMESPACE;
      const ac = new AbortController();
      const nats = natsOptions(args);
      if (nats) return sendToNats(nats, kind, namespace, ac, args, io);
      if (args.values.has('host')) throw new UsageError('--host applies to --nats only');
      const { ExporterState, defaultStateDir } = await import('../../exporter/exporter-state.js');
      const state = ExporterState.open(args.values.get('state') ?? defaultStateDir());
      return runRemote('export', args, io, async (c) => {
        const signals = await exportSignals(io);
        let input: Input;
        try {
          if (kind === 'sim') input = await simInput(args, namespace, ac, state);
          else if (kind === 'file') {
            const path = args.positionals[0]!;
            const run = state.fileRun(path, args.flags.has('from-start'));
            if (run.skip > 0)
              io.err(
                `tsem export: resuming ${path} after event ${run.skip} (acknowledged by an interrupted run; --from-start sends it all again)\n`
              );
            input = await fileInput(path, namespace, ac, run);
          } else input = await liveInput(kind, args, io, state);
        } catch (err) {
          signals.dispose();
          return startFailure(err, io);
        }
        try {
          return await send(c, input, signals, kind, args, io);
        } finally {
          signals.dispose();
        }
      });
    },
  },
];
