/** `tsem ns …`: namespaces of a running engine, through the Control service. */
import { intOption, type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import { callControl, CONNECTION_OPTIONS, runRemote, type TsemClients } from '../client.js';
import type { Command, Io } from '../command.js';
import { EXIT } from '../exit-status.js';
import type { EntriesResponse__Output } from '../../proto/gen/tsem/v1/EntriesResponse.js';
import type { Mode } from '../../proto/gen/tsem/v1/Mode.js';
import type { NamespaceInfo__Output } from '../../proto/gen/tsem/v1/NamespaceInfo.js';
import { type Mode as DomainMode, parseMode } from '../../engine/contour/mode.js';
import { escapeJsonText, escapeText } from '../../common/escape.js';
import { JSON_OPTION, Printer } from '../output.js';

/** The CLI's mode words (conventions: `sealed`, with `seal` accepted as input) ↔ tsem.proto Mode. */
const MODE_TO_WIRE: Readonly<Record<DomainMode, Mode>> = {
  learn: 'MODE_LEARN',
  audit: 'MODE_AUDIT',
  sealed: 'MODE_SEALED',
  enforce: 'MODE_ENFORCE',
};
const MODE_NAMES: Readonly<Record<string, string>> = {
  MODE_LEARN: 'learn',
  MODE_AUDIT: 'audit',
  MODE_SEALED: 'sealed',
  MODE_ENFORCE: 'enforce',
};
export const MODE_USAGE = 'learn|audit|sealed|enforce';

export function modeFromWord(word: string, where: string): Mode {
  const m = parseMode(word);
  if (!m)
    throw new UsageError(`${where} expects one of ${MODE_USAGE} (seal = sealed), got '${word}'`);
  return MODE_TO_WIRE[m];
}

export function modeName(m: string): string {
  return MODE_NAMES[m] ?? m;
}

/** `ns show` rows: measurement, state, aggregate and the counts (names follow tsem-model.md). */
function infoRows(n: NamespaceInfo__Output): [string, string][] {
  return [
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
}

export function formatNamespaceInfo(n: NamespaceInfo__Output): string {
  return (
    infoRows(n)
      .map(([k, v]) => `${k.padEnd(16)}${escapeText(v)}`)
      .join('\n') + '\n'
  );
}

/** The namespace as one JSON object: the `ns show` names, numbers as numbers. */
export function namespaceJson(n: NamespaceInfo__Output): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of infoRows(n)) out[k] = /^\d+$/.test(v) && k !== 'name' ? Number(v) : v;
  return out;
}

/** Prints a namespace (`--json`: one object) after create/show/mode. */
function printInfo(p: Printer, io: Io, n: NamespaceInfo__Output): void {
  if (p.json) p.record(namespaceJson(n), '');
  else io.out(formatNamespaceInfo(n));
}

export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[]
): string {
  const cells = rows.map((r) => r.map((c) => escapeText(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2))).join('');
  return [line(header), ...cells.map(line)].join('\n') + '\n';
}

export const NAME = '<ns>';
const ref = (args: ParsedArgs) => ({ name: args.positionals[0]! });

export function remote(
  name: string,
  summary: string,
  usage: string,
  positionals: readonly [number, number],
  options: readonly OptionSpec[],
  body: (c: TsemClients, args: ParsedArgs, io: Io) => Promise<number>,
  details?: string
): Command {
  return {
    spec: {
      name,
      summary,
      usage,
      positionals,
      options: [...options, ...CONNECTION_OPTIONS],
      details,
    },
    run: (args, io) => runRemote(name, args, io, (c) => body(c, args, io)),
  };
}

export const PAGE: readonly OptionSpec[] = [
  { name: 'offset', kind: 'string', arg: 'N', help: 'first entry (default 0)' },
  { name: 'limit', kind: 'string', arg: 'N', help: 'entries at most (default 1000)' },
];

const LINES: OptionSpec = {
  name: 'lines',
  kind: 'flag',
  help: 'print the events as kernel JSON lines (a trajectory file) instead of a table',
};

export function page(args: ParsedArgs): { offset: number; limit: number } {
  return {
    offset: intOption(args.values.get('offset'), '--offset', 0),
    limit: intOption(args.values.get('limit'), '--limit', 1000, 1),
  };
}

/** The rights a Landlock denial lacked (docs/landlock.md §5), from the line's header. */
function landlockOf(line: string): string | undefined {
  try {
    const ll = (JSON.parse(line) as { event?: { landlock?: unknown } }).event?.landlock;
    return typeof ll === 'string' ? ll : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Trajectory or forensics entries: `COEFFICIENT COUNT TYPE PROCESS SUBJECT`, or with --lines the
 * kernel lines (usable as a trajectory file), or with --json one object each; then the range.
 */
async function printEntries(
  io: Io,
  args: ParsedArgs,
  r: EntriesResponse__Output,
  offset: number,
  what: string
): Promise<void> {
  const { describeLine, subjectOf } = await import('../../engine/event/describe.js');
  const p = new Printer(io, args);
  const lines = args.flags.has('lines') && !p.json;
  for (const e of r.entries) {
    if (lines) {
      // JSON-escaped: still the same lines (usable as a trajectory file), never a terminal control.
      io.out(`${escapeJsonText(e.event_json.replace(/\n$/, ''))}\n`);
      continue;
    }
    const d = describeLine(e.event_json);
    const landlock = landlockOf(e.event_json);
    p.record(
      {
        coefficient: e.coefficient,
        count: Number(e.count),
        description: d ?? null,
        ...(landlock !== undefined ? { landlock } : {}),
      },
      () =>
        `${e.coefficient} ${e.count} ${d ? `${d.type} ${d.process} ${subjectOf(d)}` : e.event_json}` +
        (landlock !== undefined ? ` (denied by Landlock: ${escapeText(landlock)})` : '')
    );
  }
  const range = r.entries.length === 0 ? 'none' : `${offset + 1}-${offset + r.entries.length}`;
  if (p.json) p.summary({ [what]: Number(r.total), offset, returned: r.entries.length });
  else io.err(`(${what} ${range} of ${r.total})\n`);
}

const MODE_OPTION: OptionSpec = {
  name: 'mode',
  kind: 'string',
  arg: 'MODE',
  help: `initial mode: ${MODE_USAGE} (default learn; seal = sealed)`,
};

export const commands: Command[] = [
  remote(
    'ns create',
    'create a modeling namespace on the engine',
    NAME,
    [1, 1],
    [
      { name: 'digest', kind: 'string', arg: 'NAME', help: 'namespace hash (default sha256)' },
      MODE_OPTION,
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
      JSON_OPTION,
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
      printInfo(new Printer(io, args), io, info);
      return 0;
    }
  ),
  remote(
    'ns list',
    'list the namespaces of the engine',
    '',
    [0, 0],
    [JSON_OPTION],
    async (c, args, io) => {
      const r = await callControl(c, 'ListNamespaces', {});
      const p = new Printer(io, args);
      if (p.json) {
        for (const n of r.namespaces) p.record(namespaceJson(n), '');
        p.summary({ namespaces: r.namespaces.length });
        return 0;
      }
      if (r.namespaces.length === 0) {
        io.out('no namespaces\n');
        return 0;
      }
      const rows = r.namespaces.map((n) => [
        n.name,
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
    }
  ),
  remote(
    'ns mode',
    `set the mode of a namespace: ${MODE_USAGE} (seal = sealed)`,
    `${NAME} ${MODE_USAGE}`,
    [2, 2],
    [JSON_OPTION],
    async (c, args, io) => {
      const mode = modeFromWord(args.positionals[1]!, 'the mode argument');
      const info = await callControl(c, 'SetMode', { name: args.positionals[0]!, mode });
      const p = new Printer(io, args);
      if (p.json) p.record(namespaceJson(info), '');
      else io.out(`namespace ${info.name}: mode ${modeName(info.mode)}\n`);
      return 0;
    }
  ),
  remote(
    'ns show',
    'show measurement, state, aggregate and counts of a namespace',
    NAME,
    [1, 1],
    [JSON_OPTION],
    async (c, args, io) => {
      printInfo(new Printer(io, args), io, await callControl(c, 'GetNamespace', ref(args)));
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
    'list the points of a namespace with their counts (and descriptions with --describe)',
    NAME,
    [1, 1],
    [
      {
        name: 'describe',
        kind: 'flag',
        help: "add each point's status, event type, process and subject (JSON: the description)",
      },
      {
        name: 'filter',
        kind: 'string',
        arg: 'WHICH',
        choices: ['all', 'valid', 'forensic'],
        help: 'which points (default all)',
      },
      ...PAGE.map((o) => ({
        ...o,
        help: o.name === 'limit' ? 'points at most (default all)' : o.help,
      })),
      JSON_OPTION,
    ],
    async (c, args, io) => {
      const describe = args.flags.has('describe');
      const filter = args.values.get('filter') ?? 'all';
      const offset = intOption(args.values.get('offset'), '--offset', 0);
      const limit = intOption(args.values.get('limit'), '--limit', Number.MAX_SAFE_INTEGER, 1);
      const p = new Printer(io, args);
      const { pointJson, pointLine } = await import('../point-format.js');
      let printed = 0;
      let total = 0;
      const counts = { valid: 0, forensic: 0 };
      // Page by page: a large map is never one message.
      for (let at = offset; printed < limit;) {
        const r = await callControl(c, 'ListPoints', {
          name: args.positionals[0]!,
          offset: at,
          limit: Math.min(1000, limit - printed),
          filter:
            filter === 'valid'
              ? 'POINT_FILTER_VALID'
              : filter === 'forensic'
                ? 'POINT_FILTER_FORENSIC'
                : 'POINT_FILTER_UNSPECIFIED',
          descriptions: describe,
        });
        total = Number(r.total);
        for (const pt of r.points) {
          counts[pt.valid ? 'valid' : 'forensic']++;
          const json = describe
            ? pointJson(pt)
            : { coefficient: pt.coefficient, count: Number(pt.count), valid: pt.valid };
          p.record(json, () =>
            describe ? pointLine(pt) : `${pt.coefficient} ${pt.count}${pt.valid ? '' : ' forensic'}`
          );
        }
        printed += r.points.length;
        at += r.points.length;
        if (r.points.length === 0 || at >= total) break;
      }
      p.summary({ points: total, printed, ...counts });
      return 0;
    }
  ),
  remote(
    'ns trajectory',
    'print the trajectory of a namespace: coefficient, count and event of each learned point',
    NAME,
    [1, 1],
    [...PAGE, LINES, JSON_OPTION],
    async (c, args, io) => {
      const p = page(args);
      const r = await callControl(c, 'GetTrajectory', { name: args.positionals[0]!, ...p });
      await printEntries(io, args, r, p.offset, 'trajectory');
      return 0;
    }
  ),
  remote(
    'ns forensics',
    'print the forensics (off-contour events) of a namespace (exit 1 when there are any)',
    NAME,
    [1, 1],
    [...PAGE, LINES, JSON_OPTION],
    async (c, args, io) => {
      const p = page(args);
      const r = await callControl(c, 'GetForensics', { name: args.positionals[0]!, ...p });
      await printEntries(io, args, r, p.offset, 'forensics');
      return Number(r.total) > 0 ? EXIT.found : EXIT.ok;
    }
  ),
  remote(
    'ns rejected',
    'print the lines a sealed namespace could not parse (evidence): event number, reason, line',
    NAME,
    [1, 1],
    [...PAGE, JSON_OPTION],
    async (c, args, io) => {
      const pg = page(args);
      const r = await callControl(c, 'GetRejected', { name: args.positionals[0]!, ...pg });
      const p = new Printer(io, args);
      for (const e of r.entries)
        p.record(
          { seq: Number(e.seq), reason: e.reason, line: e.event_json },
          `${e.seq} ${e.reason}: ${e.event_json}`
        );
      if (p.json) p.summary({ rejected: Number(r.total), returned: r.entries.length });
      else io.err(`(rejected ${r.entries.length} of ${r.total})\n`);
      return Number(r.total) > 0 ? EXIT.found : EXIT.ok;
    }
  ),
];
