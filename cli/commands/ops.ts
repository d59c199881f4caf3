/**
 * Operator commands: `tsem alerts` (the persisted incidents), `tsem ns tasks` and `tsem ns release`
 * (untrusted tasks), and `tsem version` (client and server). Exit status as the README's table:
 * 1 when the listing found something (incidents, untrusted tasks), 69 when the engine cannot be
 * reached, 77 when the role is missing.
 */
import { type ParsedArgs, UsageError } from '../args.js';
import { callOperations, CONNECTION_OPTIONS, runRemote } from '../client.js';
import { escapeControl, JSON_OPTION } from '../output.js';
import type { Command, Io } from '../command.js';
import { formatTable } from './ns.js';
import type { Incident__Output } from '../../proto/gen/tsem/v1/Incident.js';
import type { TaskInfo__Output } from '../../proto/gen/tsem/v1/TaskInfo.js';

/** Operator commands keep the CLI's conventions: cli/output.ts, cli/exit-status.ts. */
const remote = runRemote;
/** Kept for the commands that import it from here. */
export const printable = escapeControl;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: a duration back from now (`30m`, `2h`, `7d`) or a date (`2026-01-31T12:00:00Z`). */
export function parseSince(v: string, nowMs = Date.now()): number {
  const m = /^(\d+)([smhd])$/.exec(v);
  if (m) return nowMs - Number(m[1]) * UNITS[m[2]!]!;
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new UsageError(
      `--since expects a duration (30m, 2h, 7d) or a date (2026-01-31T12:00:00Z), got '${v}'`
    );
  return t;
}

const iso = (ms: string) => (Number(ms) > 0 ? new Date(Number(ms)).toISOString() : '-');

function incidentJson(i: Incident__Output): unknown {
  try {
    return JSON.parse(i.json) as unknown;
  } catch {
    return {
      id: i.id,
      namespace: i.namespace,
      status: i.status,
      severity: i.severity,
      title: i.title,
    };
  }
}

async function alerts(args: ParsedArgs, io: Io): Promise<number> {
  const since = args.values.get('since');
  const limit = args.values.get('limit');
  if (limit !== undefined && !/^\d+$/.test(limit))
    throw new UsageError(`--limit expects a whole number, got '${limit}'`);
  return remote('alerts', args, io, async (c) => {
    const res = await callOperations(c, 'ListIncidents', {
      namespace: args.values.get('namespace') ?? '',
      since_ms: since !== undefined ? String(parseSince(since)) : '0',
      limit: limit !== undefined ? Number(limit) : 0,
      open_only: args.flags.has('open'),
    });
    const list = res.incidents;
    const open = list.filter((i) => i.status === 'open').length;
    if (args.flags.has('json')) {
      for (const i of list) io.out(`${JSON.stringify(incidentJson(i))}\n`);
      io.out(`${JSON.stringify({ summary: { incidents: list.length, open } })}\n`);
    } else if (list.length === 0) {
      io.out('no incidents\n');
    } else {
      io.out(
        formatTable(
          [
            'INCIDENT',
            'SEVERITY',
            'STATUS',
            'NAMESPACE',
            'OPENED',
            'LAST SEEN',
            'EVENTS',
            'DENIED',
            'TITLE',
          ],
          list.map((i) => [
            i.id,
            i.severity,
            i.status === 'closed' ? `closed (${i.close_reason})` : 'open',
            printable(i.namespace),
            iso(i.opened_ms),
            iso(i.last_seen_ms),
            i.events,
            i.denied,
            printable(i.title),
          ])
        )
      );
      io.out(`${list.length} incident(s), ${open} open\n`);
    }
    return list.length > 0 ? 1 : 0;
  });
}

function causeText(t: TaskInfo__Output): string {
  if (t.trust !== 'untrusted') return '-';
  if (t.untrusted_seq === '0') return 'unknown (untrusted before causes were kept)';
  const what = `event #${t.untrusted_seq} ${t.untrusted_type}`;
  return t.inherited_from ? `${what} (inherited from ${t.inherited_from})` : what;
}

async function tasks(args: ParsedArgs, io: Io): Promise<number> {
  const name = args.positionals[0]!;
  const untrustedOnly = args.flags.has('untrusted');
  return remote('ns tasks', args, io, async (c) => {
    const res = await callOperations(c, 'ListTasks', { name, untrusted_only: untrustedOnly });
    const untrusted = res.tasks.filter((t) => t.trust === 'untrusted').length;
    if (args.flags.has('json')) {
      for (const t of res.tasks) io.out(`${JSON.stringify(t)}\n`);
      io.out(`${JSON.stringify({ summary: { tasks: res.tasks.length, untrusted } })}\n`);
    } else {
      io.out(
        formatTable(
          ['TASK', 'TRUST', 'UNTRUSTED BY', 'INCIDENT', 'TASK_ID'],
          res.tasks.map((t) => [
            t.key,
            t.trust,
            causeText(t),
            t.incident || '-',
            t.task_id.slice(0, 16),
          ])
        )
      );
      for (const t of res.tasks)
        if (t.untrusted_event) io.out(`${t.key}: ${printable(t.untrusted_event)}\n`);
      io.out(`${res.tasks.length} task(s), ${untrusted} untrusted\n`);
    }
    return untrustedOnly && untrusted > 0 ? 1 : 0;
  });
}

async function release(args: ParsedArgs, io: Io): Promise<number> {
  const [name, task] = [args.positionals[0]!, args.positionals[1]!];
  return remote('ns release', args, io, async (c) => {
    const res = await callOperations(c, 'ReleaseTask', { name, task });
    if (args.flags.has('json')) {
      io.out(`${JSON.stringify({ released: res.released, incidents: res.incidents })}\n`);
    } else {
      io.out(`released ${res.released.join(' ')}\n`);
      for (const id of res.incidents) io.out(`closed incident ${id}\n`);
    }
    return 0;
  });
}

/** `tsem (tsem-engine) VERSION`: GNU's first --version line (name, then the version last). */
export async function versionLine(): Promise<string> {
  const { packageInfo } = await import('../../common/package-info.js');
  const p = packageInfo();
  return `tsem (${p.name}) ${p.version}\n`;
}

async function version(args: ParsedArgs, io: Io): Promise<number> {
  const line = await versionLine();
  if (!args.values.has('server')) {
    io.out(line);
    return 0;
  }
  return remote('version', args, io, async (c) => {
    const v = await callOperations(c, 'GetVersion', {});
    if (args.flags.has('json')) {
      io.out(`${JSON.stringify({ client: line.trim().split(' ').pop(), server: v })}\n`);
    } else {
      io.out(line);
      io.out(
        `server ${c.address}: ${printable(v.name)} ${printable(v.version)} (node ${printable(v.node)}, store format ${printable(v.store_format)})\n`
      );
    }
    return 0;
  });
}

export const commands: Command[] = [
  {
    spec: {
      name: 'alerts',
      summary: "incidents from the engine's persisted alert log, newest first",
      usage: '',
      positionals: [0, 0],
      options: [
        { name: 'namespace', kind: 'string', arg: 'NS', help: 'only this namespace' },
        {
          name: 'since',
          kind: 'string',
          arg: 'WHEN',
          help: 'last seen since: 30m, 2h, 7d or a date',
        },
        { name: 'open', kind: 'flag', help: 'only incidents still open' },
        {
          name: 'limit',
          kind: 'string',
          arg: 'N',
          help: 'at most N incidents (default 100, at most 1000)',
        },
        JSON_OPTION,
        ...CONNECTION_OPTIONS,
      ],
      details:
        'Exit status 1 when incidents were listed, 0 when none, 69 when the engine cannot be reached.\n' +
        'docs/operations.md describes the incident fields and the alert outputs.',
    },
    run: alerts,
  },
  {
    spec: {
      name: 'ns tasks',
      summary: "a namespace's tasks: trust, the event that made each untrusted, its incident",
      usage: '<name>',
      positionals: [1, 1],
      options: [
        {
          name: 'untrusted',
          kind: 'flag',
          help: 'only untrusted tasks (exit status 1 when there are any)',
        },
        JSON_OPTION,
        ...CONNECTION_OPTIONS,
      ],
    },
    run: tasks,
  },
  {
    spec: {
      name: 'ns release',
      summary: 'make an untrusted task (and what inherited its untrust) trusted again (admin)',
      usage: '<name> <task>',
      positionals: [2, 2],
      options: [JSON_OPTION, ...CONNECTION_OPTIONS],
      details:
        'TASK is a pid, pid:N, tid:HEX or ORIGIN|pid:N (events from exporters: tasks are per identity@host) as `tsem ns tasks` lists it. Needs the admin role (exit 77 without it).\n' +
        "The release is logged with the caller's identity and closes the task's incident (reason released).",
    },
    run: release,
  },
  {
    spec: {
      name: 'version',
      summary: "this tsem's version and, with --server, the engine's",
      usage: '',
      positionals: [0, 0],
      options: [JSON_OPTION, ...CONNECTION_OPTIONS],
    },
    run: version,
  },
];
