/**
 * `tsem export`: stream events into a running engine's Ingest service, from the simulator, a
 * trajectory file, or a live source (fanotify, audit) / an auditd log (exporter/sources.ts).
 */
import { accessSync, constants } from 'node:fs';
import { intOption, type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import { CONNECTION_OPTIONS, describeCallError, runRemote, type TsemClients } from '../client.js';
import type { Command, Io } from '../command.js';
import { EXIT, exitStatusOfGrpc } from '../exit-status.js';
import { JSON_OPTION } from '../output.js';
import type { ExportItem, ExportStats } from '../../exporter/grpc-exporter.js';
import type { FanotifyMarkKind } from '../../exporter/fanotify/fanotify-options.js';
import { MAX_BATCH_EVENTS as MAX_BATCH } from '../../proto/limits.js';
import { errorMessage } from '../../common/errors.js';
import { natsOptions, NATS_OPTIONS } from '../nats-options.js';
import type { NatsOptions } from '../../fleet/nats/connect.js';

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
    name: 'mark',
    kind: 'string',
    arg: 'KIND',
    choices: ['mount', 'filesystem', 'directory'],
    help: 'fanotify: what each --watch marks: its mount (default), its whole filesystem in every mount namespace (needed for tsem run --unshare mnt), or the directory and its direct children',
  },
  {
    name: 'enforce',
    kind: 'flag',
    help: "fanotify: hold opens and execs for the engine's verdict",
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
  JSON_OPTION,
  ...CONNECTION_OPTIONS,
  ...NATS_OPTIONS,
  {
    name: 'host',
    kind: 'string',
    arg: 'NAME',
    help: "with --nats: the host the events come from, as the fleet's subjects and credentials name it (default this machine's name)",
  },
];

/** The events to send and how to stop them early (Ctrl-C). */
interface Input {
  readonly items: AsyncIterable<ExportItem>;
  readonly stop: () => void;
  /** Aborted by stop() for offline inputs: the exporter stops reading at once. */
  readonly signal?: AbortSignal;
  /** Called once the export is over (closes a live source, reports its counters). */
  readonly finish?: () => Promise<void>;
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

async function simInput(args: ParsedArgs, namespace: string, ac: AbortController): Promise<Input> {
  const { createScenario } = await import('../../exporter/sim/index.js');
  const seed = intOption(args.values.get('seed'), '--seed', 1);
  if (seed > UINT32_MAX)
    throw new UsageError(`--seed expects a uint32 (at most ${UINT32_MAX}), got ${seed}`);
  const scenario = createScenario(args.values.get('scenario')!, {
    seed,
    iterations: intOption(args.values.get('iterations'), '--iterations', 1, 1),
  });
  async function* items(): AsyncGenerator<ExportItem> {
    for (const event of scenario.events()) yield { namespace, event };
  }
  return { items: items(), stop: () => ac.abort(), signal: ac.signal };
}

async function fileInput(path: string, namespace: string, ac: AbortController): Promise<Input> {
  const { readTrajectoryLines } = await import('../../exporter/sim/index.js');
  async function* items(): AsyncGenerator<ExportItem> {
    // Raw lines go as kernel_json: the engine hashes pathnames as the file's exact bytes.
    for await (const l of readTrajectoryLines(path, { signal: ac.signal }))
      yield { namespace, event: l.line };
  }
  return { items: items(), stop: () => ac.abort(), signal: ac.signal };
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
    decisionTimeoutMs:
      timeout === undefined ? undefined : intOption(timeout, '--timeout-ms', 2000, 1),
    failMode: args.flags.has('fail-closed') ? ('closed' as const) : ('open' as const),
    // No --namespace: the rule names it after this host (host@HOSTNAME), never a name every machine shares.
    namespace: rule === 'host' && ns !== undefined ? `host:${ns}` : rule,
    logFile: kind === 'audit-log' ? args.positionals[0] : undefined,
  };
}

async function liveInput(
  kind: 'fanotify' | 'audit' | 'audit-log',
  args: ParsedArgs,
  io: Io
): Promise<Input> {
  const { createSource } = await import('../../exporter/sources.js');
  const opts = liveOptions(kind, args);
  const source = createSource(kind, opts);
  await source.start();
  async function* items(): AsyncGenerator<ExportItem> {
    for await (const ev of source) {
      const respond = ev.respond;
      const item = { namespace: ev.namespace, event: ev.event, cgroupId: ev.cgroupId };
      // A held permission event is answered with the engine's action (allow unless DENY).
      yield respond
        ? {
            ...item,
            // No action (an event the engine rejected): the source's fail mode decides.
            respond: (v) =>
              respond(
                v.action === 'ACTION_UNSPECIFIED' || v.action === undefined
                  ? opts.failMode === 'open'
                  : v.action !== 'ACTION_DENY'
              ),
          }
        : item;
    }
  }
  return {
    items: items(),
    stop: () => void source.stop(),
    finish: async () => {
      await source.stop();
      const counters = Object.entries(source.stats()).filter(([, n]) => n !== 0);
      if (counters.length > 0)
        io.err(`source ${kind}: ${counters.map(([k, n]) => `${k} ${n}`).join(' ')}\n`);
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
      'mark',
      'enforce',
      'timeout-ms',
      'fail-open',
      'fail-closed',
      'ns-rule',
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
  };
}

async function send(
  c: TsemClients,
  input: Input,
  kind: SourceName,
  args: ParsedArgs,
  io: Io
): Promise<number> {
  const { streamToIngest, formatExportSummary, ExportError } =
    await import('../../exporter/grpc-exporter.js');
  const rateRaw = args.values.get('rate');
  const onSigint = (): void => input.stop();
  process.once('SIGINT', onSigint);
  const report = (stats: ExportStats): void => {
    if (args.flags.has('json'))
      io.out(`${JSON.stringify({ summary: exportSummaryJson(stats) })}\n`);
    else io.out(formatExportSummary(stats) + '\n');
    for (const e of stats.errorSamples) io.err(`rejected: ${e}\n`);
  };
  try {
    const stats = await streamToIngest(c.ingest.Stream(c.metadata), input.items, {
      exporter: kind,
      batchSize: intOption(args.values.get('batch'), '--batch', 512, 1),
      rate: rateRaw === undefined ? undefined : intOption(rateRaw, '--rate', 0, 1),
      signal: input.signal,
    });
    report(stats);
    // Rejected events are something found (exit 1): the engine refused part of the input.
    return stats.errors > 0 ? EXIT.found : EXIT.ok;
  } catch (err) {
    if (!(err instanceof ExportError)) throw err;
    report(err.stats);
    const cause = err.cause as { code?: unknown } | undefined;
    io.err(
      `tsem export: ${typeof cause?.code === 'number' ? describeCallError(cause, c.address, c.hasToken, c.withheld) : err.message}\n`
    );
    return typeof cause?.code === 'number' ? exitStatusOfGrpc(cause.code) : EXIT.unavailable;
  } finally {
    process.off('SIGINT', onSigint);
    await input.finish?.();
  }
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
  const engineOnly = ['server', 'to', 'token-file'].find(
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
  const input =
    kind === 'sim'
      ? await simInput(args, namespace, ac)
      : kind === 'file'
        ? await fileInput(args.positionals[0]!, namespace, ac)
        : await liveInput(kind, args, io);
  const onSigint = (): void => input.stop();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
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
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await input.finish?.();
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
        'tsem export --source audit --server ADDR                               (root)',
        'tsem export --source audit-log <audit.log> --server ADDR',
        'Prints: sent N acked N learned N on-contour N off-contour N denied N errors N',
        '(--json: one {"summary": …} object). Exits 1 when the engine rejected any event.',
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
      const namespace = args.values.get('namespace') ?? DEFAULT_NAMESPACE;
      const ac = new AbortController();
      const nats = natsOptions(args);
      if (nats) return sendToNats(nats, kind, namespace, ac, args, io);
      if (args.values.has('host')) throw new UsageError('--host applies to --nats only');
      return runRemote('export', args, io, async (c) => {
        const input =
          kind === 'sim'
            ? await simInput(args, namespace, ac)
            : kind === 'file'
              ? await fileInput(args.positionals[0]!, namespace, ac)
              : await liveInput(kind, args, io);
        return send(c, input, kind, args, io);
      });
    },
  },
];
