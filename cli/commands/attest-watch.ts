/**
 * `tsem attest watch`: continuous attestation of a running engine (docs/attestation.md §5). Every
 * interval, each namespace is attested with a fresh nonce, the report verified (signature, quote,
 * aggregate, host log against PCR 10, root points against PCR 11) and compared with the previous
 * one (engine/attest/watch.ts). Alerts go to stderr (or JSON lines); see the exit statuses below.
 */
import { type ParsedArgs, UsageError } from '../args.js';
import {
  callControl,
  CONNECTION_OPTIONS,
  DEFAULT_SERVER,
  isReportable,
  type TsemClients,
} from '../client.js';
import type { Command, Io } from '../command.js';
import { EXIT } from '../exit-status.js';
import { printable } from './ops.js';
import type { WatchRecord } from '../../engine/attest/watch-alert.js';
import type { TemplateEntry } from '../../engine/ima/template-entry.js';

interface Summary {
  polls: number;
  reports: number;
  alerts: number;
  unreachable: number;
  /** Alerts an output could not take (after retries). */
  undelivered: number;
}

/** Attempts per alert and output, with a doubling pause between them. */
const SEND_ATTEMPTS = 3;
const SEND_TIMEOUT_MS = 10_000;
const RETRY_PAUSE_MS = 500;

/**
 * The operator outputs of `--alert` (engine/alert: the same specs as `tsem serve --alert`). Each
 * alert is sent to each output in turn, retried on transient failures, and a failure is said on
 * stderr: the watch goes on.
 */
async function alertOutputs(
  args: ParsedArgs,
  io: Io,
  summary: Summary
): Promise<{ send(r: WatchRecord, server: string): Promise<void>; close(): Promise<void> }> {
  const raw = args.lists.get('alert') ?? [];
  if (raw.length === 0) return { send: () => Promise.resolve(), close: () => Promise.resolve() };
  const { parseOutput } = await import('../../engine/alert/output-spec.js');
  const { createAlertSink } = await import('../../engine/alert/create-sink.js');
  const { DeliveryError } = await import('../../engine/alert/deliverer.js');
  const { attestationAlertRecord } = await import('../../engine/attest/watch-alert.js');
  const { packageInfo } = await import('../../common/package-info.js');
  const pkg = packageInfo();
  const outputs = raw.map((r, i) => {
    let spec: unknown = r;
    if (r.startsWith('{')) {
      try {
        spec = JSON.parse(r);
      } catch {
        throw new UsageError(`--alert[${i}]: expected TYPE:TARGET;key=value or a JSON object`);
      }
    }
    try {
      const parsed = parseOutput(spec, `--alert[${i}]`);
      return { name: parsed.name, sink: createAlertSink(parsed, pkg, process.env) };
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
  let seq = 0;
  return {
    async send(r, server) {
      const record = attestationAlertRecord(r, server, ++seq);
      for (const o of outputs) {
        for (let attempt = 1; ; attempt++) {
          try {
            await o.sink.send(record, AbortSignal.timeout(SEND_TIMEOUT_MS));
            break;
          } catch (err) {
            const retry = !(err instanceof DeliveryError) || err.kind === 'retry';
            if (!retry || attempt >= SEND_ATTEMPTS) {
              summary.undelivered++;
              io.err(`tsem attest watch: alert output ${o.name}: ${(err as Error).message}\n`);
              break;
            }
            await new Promise((res) => setTimeout(res, RETRY_PAUSE_MS * 2 ** (attempt - 1)));
          }
        }
      }
    },
    async close() {
      for (const o of outputs) await o.sink.close().catch(() => undefined);
    },
  };
}

/** Where records go: one readable line (alerts on stderr), or one JSON object per line. */
function printer(io: Io, json: boolean): (r: WatchRecord) => void {
  if (json) return (r) => io.out(`${JSON.stringify(r)}\n`);
  return (r) => {
    const f = r.figures;
    const figures = f ? ` [${f.mode}, points ${f.points}, forensics ${f.forensics}]` : '';
    const ns = printable(r.namespace);
    const reason = printable(r.reason);
    if (r.type === 'alert')
      io.err(`ALERT ${r.time} ${ns} ${r.kind} (${r.severity}): ${reason}${figures}\n`);
    else io.out(`${r.time} ${ns} ${r.kind}: ${reason}${figures}\n`);
  };
}

function seconds(raw: string | undefined): number {
  if (raw === undefined) return 60;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) < 0.05)
    throw new UsageError(`--interval expects seconds (at least 0.05), got '${raw}'`);
  return Number(raw);
}

/** What one poll fetches once and shares between namespaces. */
class PollData {
  private host?: Promise<TemplateEntry[] | undefined>;
  private readonly points = new Map<string, Promise<Buffer[]>>();

  constructor(
    private readonly c: TsemClients,
    private imaOff: { value: boolean }
  ) {}

  /** The host IMA log (sha256 template digests), or undefined when the engine runs no IMA. */
  hostLog(): Promise<TemplateEntry[] | undefined> {
    this.host ??= (async () => {
      if (this.imaOff.value) return undefined;
      try {
        const r = await callControl(this.c, 'GetImaLog', {
          host: true,
          format: 'binary',
          bank: 'sha256',
        });
        const { parseBinaryList } = await import('../../engine/ima/measurement-list-binary.js');
        return parseBinaryList(r.log, 32).entries;
      } catch (err) {
        if (/IMA is not enabled/.test((err as Error).message)) {
          this.imaOff.value = true;
          return undefined;
        }
        throw err;
      }
    })();
    return this.host;
  }

  /** A namespace's points in first-seen order. */
  pointsOf(ns: string): Promise<Buffer[]> {
    let p = this.points.get(ns);
    if (!p) {
      p = callControl(this.c, 'GetPoints', { name: ns }).then((r) =>
        r.points.map((x) => Buffer.from(x.coefficient, 'hex'))
      );
      this.points.set(ns, p);
    }
    return p;
  }
}

async function watch(args: ParsedArgs, io: Io): Promise<number> {
  const interval = seconds(args.values.get('interval'));
  const countRaw = args.values.get('count');
  if (countRaw !== undefined && !/^[1-9]\d*$/.test(countRaw))
    throw new UsageError(`--count expects a whole number of polls, got '${countRaw}'`);
  const count = countRaw === undefined ? Infinity : Number(countRaw);
  const rootNs = args.values.get('root-namespace') ?? 'root';
  const only = args.lists.get('namespace') ?? [];
  const json = args.flags.has('json');
  const emit = printer(io, json);

  const { randomBytes } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  const { parseReport } = await import('../../engine/attest/parse-report.js');
  const { verifyReport, akNameOf } = await import('../../engine/attest/verify-report.js');
  const { AttestWatch } = await import('../../engine/attest/watch.js');
  const { parsePublicKey } = await import('../../engine/attest/keys.js');
  const { parseAkPin } = await import('../../engine/attest/ak-pin.js');
  const { connect } = await import('../client.js');

  const read = (v: string) => {
    try {
      return readFileSync(v, 'utf8');
    } catch {
      return v; // not a file: the value itself
    }
  };
  const pub = args.values.get('pubkey');
  const pinnedKey = pub === undefined ? undefined : parsePublicKey(read(pub), '--pubkey');
  const akArg = args.values.get('ak');
  const w = new AttestWatch({
    ...(akArg !== undefined ? { ak: parseAkPin(read(akArg), '--ak') } : {}),
    ...(pinnedKey ? { agentKey: Buffer.from(pinnedKey).toString('base64') } : {}),
  });

  let stopping = false;
  let wake: () => void = () => undefined;
  const stop = () => {
    stopping = true;
    wake();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const summary: Summary = { polls: 0, reports: 0, alerts: 0, unreachable: 0, undelivered: 0 };
  const outputs = await alertOutputs(args, io, summary);
  const server = args.values.get('server') ?? DEFAULT_SERVER;
  const out = async (r: WatchRecord) => {
    emit(r);
    if (r.type !== 'alert') return;
    summary.alerts++;
    await outputs.send(r, server);
  };
  let reached = false;
  let quoted = args.flags.has('require-quote');
  const imaOff = { value: false };
  let c: TsemClients | undefined;
  try {
    c = await connect(args);
    for (let poll = 0; poll < count && !stopping; poll++) {
      if (poll > 0)
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, interval * 1000);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      if (stopping) break;
      summary.polls++;
      const time = Date.now();
      let names: string[];
      try {
        names = only.length
          ? only
          : (await callControl(c, 'ListNamespaces', {})).namespaces.map((n) => n.name);
      } catch (err) {
        if (!isReportable(err)) throw err;
        summary.unreachable++;
        await out(w.unavailable('*', time, err.message));
        continue;
      }
      reached = true;
      const data = new PollData(c, imaOff);
      for (const ns of names) {
        if (stopping) break;
        const nonce = randomBytes(32);
        let text: string;
        try {
          text = (await callControl(c, 'Attest', { name: ns, nonce: nonce.toString('hex') }))
            .report_json;
        } catch (err) {
          if (!isReportable(err)) throw err;
          await out(w.unavailable(ns, time, err.message));
          continue;
        }
        summary.reports++;
        let report;
        try {
          report = parseReport(text, `report of ${ns}`);
        } catch (err) {
          await out(w.unavailable(ns, time, `unreadable report: ${(err as Error).message}`));
          continue;
        }
        quoted ||= report.quote !== undefined;
        const hostLog = report.quote ? await data.hostLog() : undefined;
        let rootPoints: Buffer[] | undefined;
        if (report.quote) {
          try {
            rootPoints = await data.pointsOf(rootNs);
          } catch {
            rootPoints = undefined; // no root namespace: nothing extends PCR 11 yet
          }
        }
        const check = verifyReport(report, {
          publicKey: pinnedKey ?? Buffer.from(report.agentKey, 'base64'),
          nonce,
          requireQuote: quoted,
          ...(hostLog
            ? { hostLog: { entries: hostLog, logBank: 'sha256', source: 'the host IMA log' } }
            : {}),
          ...(rootPoints
            ? {
                rootPoints: {
                  points: rootPoints,
                  source: `namespace ${rootNs}`,
                  ...(ns === rootNs ? { exact: report.points + report.forensics } : {}),
                },
              }
            : {}),
        });
        const ak = report.quote ? akNameOf(report.quote.akPublic) : undefined;
        const records = await w.observe(
          { namespace: ns, time, report, findings: check.findings, ...(ak ? { ak } : {}) },
          async (name, from) => (await data.pointsOf(name)).slice(from)
        );
        for (const r of records) await out(r);
      }
    }
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    c?.close();
    await outputs.close();
  }
  if (json) io.out(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
  else
    io.err(
      `polls ${summary.polls} reports ${summary.reports} alerts ${summary.alerts}${summary.unreachable ? ` unreachable ${summary.unreachable}` : ''}${summary.undelivered ? ` undelivered ${summary.undelivered}` : ''}\n`
    );
  if (!reached) return EXIT.unavailable;
  return summary.alerts > 0 ? EXIT.found : EXIT.ok;
}

export const commands: Command[] = [
  {
    spec: {
      name: 'attest watch',
      summary:
        'attest namespaces of a running engine at an interval with fresh nonces; alert on changed keys, a moved aggregate, failing quotes, broken measurements, sealed namespaces that change',
      usage: '',
      positionals: [0, 0],
      options: [
        {
          name: 'namespace',
          kind: 'list',
          arg: 'NS',
          help: 'watch this namespace (repeatable; default every namespace, listed at each poll)',
        },
        {
          name: 'pubkey',
          kind: 'string',
          arg: 'KEY',
          help: "the agent's Ed25519 public key to pin (default: the first report's)",
        },
        {
          name: 'ak',
          kind: 'string',
          arg: 'FILE|NAME',
          help: "the attestation key to pin: a 'tsem attest ak' file or its Name (default: the first quote's)",
        },
        {
          name: 'interval',
          kind: 'string',
          arg: 'SECONDS',
          help: 'time between polls (default 60)',
        },
        {
          name: 'count',
          kind: 'string',
          arg: 'N',
          help: 'stop after N polls (default: run until SIGINT/SIGTERM)',
        },
        {
          name: 'root-namespace',
          kind: 'string',
          arg: 'NS',
          help: 'the namespace whose points extend PCR 11 (default root)',
        },
        {
          name: 'require-quote',
          kind: 'flag',
          help: 'alert on reports without a TPM quote (on by itself once a report had one)',
        },
        {
          name: 'alert',
          kind: 'list',
          arg: 'SPEC',
          help: 'also send each alert to an operator output, as tsem serve --alert (file:…, syslog:…, webhook:…; format native|ocsf|ecs)',
        },
        {
          name: 'json',
          kind: 'flag',
          help: 'one JSON object per record on stdout, then a summary',
        },
        ...CONNECTION_OPTIONS,
      ],
      details: [
        'Alerts (stderr, "ALERT …"): ak-changed, agent-key-changed, report-invalid, aggregate-changed,',
        'quote-failed (the quote, or PCR 10/11 against the host log/root points), measurement-broken,',
        'sealed-changed (any change of a sealed or enforce namespace), unavailable. Reported, not',
        'alerted (stdout): first, growth (new points in learn or audit mode that extend the',
        'measurement), unchanged. Exit 0 without alerts, 1 with any, 69 when the engine was never',
        'reached. SIGINT or SIGTERM ends it after the poll in progress.',
      ].join('\n'),
    },
    run: watch,
  },
];
