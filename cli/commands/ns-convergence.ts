/** `tsem ns convergence`: new points per window, the window's size, auto-sealing, and a live view. */
import { intOption, type ParsedArgs, UsageError } from '../args.js';
import { callControl, type TsemClients } from '../client.js';
import type { Command, Io } from '../command.js';
import { JSON_OPTION, Printer } from '../output.js';
import type { ConvergenceResponse__Output } from '../../proto/gen/tsem/v1/ConvergenceResponse.js';
import { formatTable, modeName, NAME, remote } from './ns.js';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `--window N` (events) or `--window 30s` (engine time: ms, s, m, h). */
export function parseWindow(raw: string): { events: number } | { ms: number } {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(raw);
  if (!m)
    throw new UsageError(
      `--window expects a number of events or a duration such as 30s, got '${raw}'`
    );
  const n = Number(m[1]);
  if (n < 1) throw new UsageError(`--window expects at least 1, got '${raw}'`);
  return m[2] ? { ms: n * UNITS[m[2]]! } : { events: n };
}

function windowText(r: ConvergenceResponse__Output): string {
  const ms = Number(r.window_ms);
  return ms > 0 ? `${ms / 1000}s` : `${r.window_events} events`;
}

function summaryOf(r: ConvergenceResponse__Output): Record<string, unknown> {
  return {
    mode: modeName(r.mode),
    settled: r.settled,
    window_events: Number(r.window_events),
    window_ms: Number(r.window_ms),
    quiet_windows: r.quiet_windows,
    auto_seal_after: r.auto_seal_after,
    auto_seal_mode: modeName(r.auto_seal_mode),
  };
}

const time = (ms: string) => (ms === '0' ? '-' : new Date(Number(ms)).toISOString().slice(11, 19));

function render(p: Printer, io: Io, r: ConvergenceResponse__Output, records: boolean): void {
  if (p.json) {
    if (records)
      for (const w of r.windows)
        p.record(
          {
            events_end: Number(w.events_end),
            events: Number(w.events),
            new_points: Number(w.new_points),
            start_ms: Number(w.start_ms),
            end_ms: Number(w.end_ms),
          },
          ''
        );
    p.summary(summaryOf(r));
    return;
  }
  const byTime = Number(r.window_ms) > 0;
  const rows = r.windows.map((w) => [
    ...(byTime ? [`${time(w.start_ms)}-${time(w.end_ms)}`] : []),
    w.events_end,
    w.events,
    w.new_points,
  ]);
  io.out(formatTable([...(byTime ? ['WINDOW'] : []), 'EVENTS-END', 'EVENTS', 'NEW-POINTS'], rows));
  const auto =
    r.auto_seal_after > 0
      ? `; auto-seal (${modeName(r.auto_seal_mode)}) after ${r.auto_seal_after} quiet windows, ${r.quiet_windows} so far`
      : '';
  io.out(
    `settled: ${r.settled ? 'yes' : 'no'} (window ${windowText(r)}; mode ${modeName(r.mode)}${auto})\n`
  );
}

/** Applies --window / --auto-seal-after / --auto-seal-mode over the current settings. */
async function configure(c: TsemClients, args: ParsedArgs, name: string): Promise<void> {
  const w = args.values.get('window');
  const after = args.values.get('auto-seal-after');
  const mode = args.values.get('auto-seal-mode');
  if (w === undefined && after === undefined && mode === undefined) return;
  const window = w === undefined ? undefined : parseWindow(w);
  const autoSealAfter =
    after === undefined || after === 'off'
      ? undefined
      : intOption(after, '--auto-seal-after', 0, 1);
  if (mode !== undefined && mode !== 'sealed' && mode !== 'seal' && mode !== 'enforce')
    throw new UsageError(`--auto-seal-mode expects sealed or enforce, got '${mode}'`);
  const now = await callControl(c, 'GetConvergence', { name });
  await callControl(c, 'SetConvergence', {
    name,
    window_events: window
      ? 'events' in window
        ? window.events
        : 0
      : Number(now.window_ms) > 0
        ? 0
        : now.window_events,
    window_ms: window ? ('ms' in window ? window.ms : 0) : now.window_ms,
    auto_seal_after: after === 'off' ? 0 : (autoSealAfter ?? now.auto_seal_after),
    auto_seal_mode:
      mode === undefined ? now.auto_seal_mode : mode === 'enforce' ? 'MODE_ENFORCE' : 'MODE_SEALED',
  });
}

async function watch(
  c: TsemClients,
  args: ParsedArgs,
  io: Io,
  name: string,
  p: Printer
): Promise<number> {
  const intervalMs = intOption(args.values.get('interval'), '--interval', 2, 1) * 1000;
  const count = args.values.has('count')
    ? intOption(args.values.get('count'), '--count', 1, 1)
    : Infinity;
  const tty = (process.stdout as { isTTY?: boolean }).isTTY === true && !p.json;
  let stop = false;
  let wake: (() => void) | undefined;
  const onSigint = () => {
    stop = true;
    wake?.();
  };
  process.once('SIGINT', onSigint);
  try {
    for (let i = 0; i < count && !stop; i++) {
      const r = await callControl(c, 'GetConvergence', { name });
      if (tty)
        io.out('\x1b[H\x1b[2J'); // redraw in place
      else if (i > 0 && !p.json) io.out('\n');
      if (!p.json) io.out(`${new Date().toISOString()}  namespace ${name}\n`);
      render(p, io, r, false);
      if (i + 1 < count && !stop)
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, intervalMs).unref();
        });
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  return 0;
}

export const commands: Command[] = [
  remote(
    'ns convergence',
    'show how fast a namespace stops learning new points; set its window and auto-seal',
    NAME,
    [1, 1],
    [
      {
        name: 'window',
        kind: 'string',
        arg: 'N|DURATION',
        help: 'close windows after N events, or after a duration of engine time (30s, 5m) (admin)',
      },
      {
        name: 'auto-seal-after',
        kind: 'string',
        arg: 'N|off',
        help: 'seal the learning namespace after N quiet windows in a row (admin)',
      },
      {
        name: 'auto-seal-mode',
        kind: 'string',
        arg: 'MODE',
        help: 'what auto-sealing switches to: sealed (default) or enforce (admin)',
      },
      { name: 'watch', kind: 'flag', help: 'redraw every --interval seconds until Ctrl-C' },
      {
        name: 'interval',
        kind: 'string',
        arg: 'S',
        help: '--watch: seconds between redraws (default 2)',
      },
      { name: 'count', kind: 'string', arg: 'N', help: '--watch: stop after N redraws' },
      JSON_OPTION,
    ],
    async (c, args, io) => {
      const name = args.positionals[0]!;
      const p = new Printer(io, args);
      await configure(c, args, name);
      if (args.flags.has('watch')) return watch(c, args, io, name, p);
      if (args.values.has('interval') || args.values.has('count'))
        throw new UsageError('--interval and --count go with --watch');
      render(p, io, await callControl(c, 'GetConvergence', { name }), true);
      return 0;
    },
    [
      'A window closes after N events (default 1000) or, with --window 30s, after that much engine',
      'time (an empty span is a quiet window). With --auto-seal-after N the engine seals a learning',
      'namespace once N windows in a row added no point, and raises an alert on the Monitor stream.',
    ].join('\n')
  ),
];
