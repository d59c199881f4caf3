/** `tsem ns …`: namespaces of a running engine, through the Control service. */
import { intOption, type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import { callControl, CONNECTION_OPTIONS, runRemote, type TsemClients } from '../client.js';
import type { Command, Io } from '../command.js';
import type { EntriesResponse__Output } from '../../proto/gen/tsem/v1/EntriesResponse.js';
import type { Mode } from '../../proto/gen/tsem/v1/Mode.js';
import type { NamespaceInfo__Output } from '../../proto/gen/tsem/v1/NamespaceInfo.js';
import { escapeJsonText, escapeText } from '../../common/escape.js';

/** The CLI's mode words; `seal` is MODE_SEALED (tsem.proto Mode). */
const MODE_WORDS: Readonly<Record<string, Mode>> = {
  learn: 'MODE_LEARN',
  audit: 'MODE_AUDIT',
  seal: 'MODE_SEALED',
  enforce: 'MODE_ENFORCE',
};
const MODE_NAMES: Readonly<Record<string, string>> = {
  MODE_LEARN: 'learn',
  MODE_AUDIT: 'audit',
  MODE_SEALED: 'sealed',
  MODE_ENFORCE: 'enforce',
};

export function modeFromWord(word: string, where: string): Mode {
  const m = MODE_WORDS[word === 'sealed' ? 'seal' : word];
  if (!m) throw new UsageError(`${where} expects one of learn|audit|seal|enforce, got '${word}'`);
  return m;
}

export function modeName(m: string): string {
  return MODE_NAMES[m] ?? m;
}

/** `ns show` lines: measurement, state, aggregate and the counts (names follow tsem-model.md). */
export function formatNamespaceInfo(n: NamespaceInfo__Output): string {
  const rows: [string, string][] = [
    ['name', n.name],
    ['mode', modeName(n.mode)],
    ['digest', n.digest],
    ['dialect', n.dialect],
    ['nsref', n.nsref],
    ['aggregate', n.aggregate],
    ['base', n.base],
    ['measurement', n.measurement],
    ['state', n.state],
    ['points', n.points],
    ['forensic-points', n.forensic_points],
    ['trajectory', n.trajectory_length],
    ['forensics', n.forensics_length],
    ['events', n.events],
    ['untrusted-tasks', n.untrusted_tasks],
    ['audit-findings', n.audit_findings],
    ['rejected-events', n.rejected_events],
    ['signed-models', n.require_signed_models ? 'required' : 'optional'],
  ];
  return rows.map(([k, v]) => `${k.padEnd(16)}${escapeText(v)}`).join('\n') + '\n';
}

export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[]
): string {
  // Every cell escaped: names and processes come from outside and must not drive the terminal.
  const cells = rows.map((r) => r.map((c) => escapeText(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2))).join('');
  return [line(header), ...cells.map(line)].join('\n') + '\n';
}

const NAME = '<name>';
const ref = (args: ParsedArgs) => ({ name: args.positionals[0]! });

function remote(
  name: string,
  summary: string,
  usage: string,
  positionals: readonly [number, number],
  options: readonly OptionSpec[],
  body: (c: TsemClients, args: ParsedArgs, io: Io) => Promise<number>
): Command {
  return {
    spec: { name, summary, usage, positionals, options: [...options, ...CONNECTION_OPTIONS] },
    run: (args, io) => runRemote(name, args, io, (c) => body(c, args, io)),
  };
}

const PAGE: readonly OptionSpec[] = [
  { name: 'offset', kind: 'string', arg: 'N', help: 'first entry (default 0)' },
  { name: 'limit', kind: 'string', arg: 'N', help: 'entries at most (default 1000)' },
];

/** Prints entries as kernel trajectory lines (usable as a trajectory file); the count goes to stderr. */
function printEntries(io: Io, r: EntriesResponse__Output, offset: number, what: string): number {
  // JSON-escaped: still the same lines (usable as a trajectory file), never a terminal control.
  for (const e of r.entries) io.out(`${escapeJsonText(e.event_json.replace(/\n$/, ''))}\n`);
  io.err(
    `(${what} ${r.entries.length === 0 ? 'none' : `${offset + 1}-${offset + r.entries.length}`} of ${r.total})\n`
  );
  return 0;
}

function page(args: ParsedArgs): { offset: number; limit: number } {
  return {
    offset: intOption(args.values.get('offset'), '--offset', 0),
    limit: intOption(args.values.get('limit'), '--limit', 1000, 1),
  };
}

export const commands: Command[] = [
  remote(
    'ns create',
    'create a modeling namespace on the engine',
    NAME,
    [1, 1],
    [
      { name: 'digest', kind: 'string', arg: 'NAME', help: 'namespace hash (default sha256)' },
      {
        name: 'mode',
        kind: 'string',
        arg: 'MODE',
        choices: ['learn', 'audit', 'seal', 'enforce'],
        help: 'initial mode (default learn)',
      },
      {
        name: 'dialect',
        kind: 'string',
        arg: 'NAME',
        choices: ['tsem-6.12', 'quixote-us'],
        help: 'coefficient dialect (default tsem-6.12)',
      },
      {
        name: 'nsref',
        kind: 'string',
        arg: 'REF',
        choices: ['initial', 'current'],
        help: 'namespace reference (default initial)',
      },
      {
        name: 'require-signed-models',
        kind: 'flag',
        help: "load only models signed by one of the server's --model-key keys (cannot be undone)",
      },
    ],
    async (c, args, io) => {
      const mode = args.values.get('mode');
      const info = await callControl(c, 'CreateNamespace', {
        name: args.positionals[0]!,
        digest: args.values.get('digest') ?? '',
        dialect: args.values.get('dialect') ?? '',
        nsref: args.values.get('nsref') ?? '',
        mode: mode === undefined ? 'MODE_UNSPECIFIED' : modeFromWord(mode, '--mode'),
        require_signed_models: args.flags.has('require-signed-models'),
      });
      io.out(formatNamespaceInfo(info));
      return 0;
    }
  ),
  remote('ns list', 'list the namespaces of the engine', '', [0, 0], [], async (c, _args, io) => {
    const r = await callControl(c, 'ListNamespaces', {});
    if (r.namespaces.length === 0) {
      io.out('no namespaces\n');
      return 0;
    }
    const rows = r.namespaces.map((n) => [
      escapeText(n.name),
      modeName(n.mode),
      n.digest,
      n.events,
      n.points,
      n.forensic_points,
      n.untrusted_tasks,
    ]);
    io.out(
      formatTable(['NAME', 'MODE', 'DIGEST', 'EVENTS', 'POINTS', 'FORENSIC', 'UNTRUSTED'], rows)
    );
    return 0;
  }),
  remote(
    'ns mode',
    'set the mode of a namespace: learn, audit, seal or enforce',
    '<name> learn|audit|seal|enforce',
    [2, 2],
    [],
    async (c, args, io) => {
      const info = await callControl(c, 'SetMode', {
        name: args.positionals[0]!,
        mode: modeFromWord(args.positionals[1]!, 'the mode argument'),
      });
      io.out(`namespace ${info.name}: mode ${modeName(info.mode)}\n`);
      return 0;
    }
  ),
  remote(
    'ns show',
    'show measurement, state, aggregate and counts of a namespace',
    NAME,
    [1, 1],
    [],
    async (c, args, io) => {
      io.out(formatNamespaceInfo(await callControl(c, 'GetNamespace', ref(args))));
      return 0;
    }
  ),
  remote(
    'ns delete',
    'delete a namespace and its stored model',
    NAME,
    [1, 1],
    [],
    async (c, args, io) => {
      await callControl(c, 'DeleteNamespace', ref(args));
      io.out(`deleted namespace ${args.positionals[0]}\n`);
      return 0;
    }
  ),
  remote(
    'ns points',
    'list the points (coefficients) of a namespace with their counts',
    NAME,
    [1, 1],
    [],
    async (c, args, io) => {
      const r = await callControl(c, 'GetPoints', ref(args));
      for (const p of r.points)
        io.out(`${p.coefficient} ${p.count}${p.valid ? '' : ' forensic'}\n`);
      return 0;
    }
  ),
  remote(
    'ns trajectory',
    'print the trajectory of a namespace as kernel JSON lines',
    NAME,
    [1, 1],
    PAGE,
    async (c, args, io) => {
      const p = page(args);
      return printEntries(
        io,
        await callControl(c, 'GetTrajectory', { name: args.positionals[0]!, ...p }),
        p.offset,
        'trajectory'
      );
    }
  ),
  remote(
    'ns forensics',
    'print the forensics (off-contour events) of a namespace as kernel JSON lines',
    NAME,
    [1, 1],
    PAGE,
    async (c, args, io) => {
      const p = page(args);
      return printEntries(
        io,
        await callControl(c, 'GetForensics', { name: args.positionals[0]!, ...p }),
        p.offset,
        'forensics'
      );
    }
  ),
  remote(
    'ns rejected',
    'print the lines a sealed namespace could not parse (evidence): event number, reason, line',
    NAME,
    [1, 1],
    PAGE,
    async (c, args, io) => {
      const p = page(args);
      const r = await callControl(c, 'GetRejected', { name: args.positionals[0]!, ...p });
      for (const e of r.entries)
        io.out(`${e.seq} ${escapeText(e.reason)}\n  ${escapeText(e.event_json)}\n`);
      io.err(`(rejected ${r.entries.length} of ${r.total})\n`);
      return 0;
    }
  ),
  remote(
    'ns convergence',
    'show how fast a namespace stops learning new points',
    NAME,
    [1, 1],
    [],
    async (c, args, io) => {
      const r = await callControl(c, 'GetConvergence', ref(args));
      const rows = r.windows.map((w) => [w.events_end, w.events, w.new_points]);
      io.out(formatTable(['EVENTS-END', 'EVENTS', 'NEW-POINTS'], rows));
      io.out(`settled: ${r.settled ? 'yes' : 'no'} (window ${r.window_events} events)\n`);
      return 0;
    }
  ),
];
