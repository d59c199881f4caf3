/**
 * `tsem watch`: follow a running engine's verdicts live (Monitor.Subscribe). A lost connection
 * (the engine restarted) is reconnected with growing pauses, said on stderr, and the subscription
 * resumes after the last event seen per namespace: the engine sends what it still holds, and a
 * gap line says which events it no longer holds. Drops are said with their cause.
 */
import { intOption, UsageError } from '../args.js';
import { CONNECTION_OPTIONS, describeCallError, runRemote, type TsemClients } from '../client.js';
import type { Command, Io } from '../command.js';
import type { MonitorMessage__Output } from '../../proto/gen/tsem/v1/MonitorMessage.js';
import type { SubscribeRequest } from '../../proto/gen/tsem/v1/SubscribeRequest.js';
import { DEFAULT_SUBSCRIBER_QUEUE, MAX_SUBSCRIBER_QUEUE } from '../../proto/limits.js';
import { errorMessage } from '../../common/errors.js';
import type { NatsOptions } from '../../fleet/nats/connect.js';
import { EXIT } from '../exit-status.js';
import { NATS_OPTIONS, natsOptions } from '../nats-options.js';

const GRPC_CANCELLED = 1;
/** gRPC status codes a new subscription may cure (the engine or the network went away). */
const TRANSIENT = new Set([1, 2, 4, 13, 14]);
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;

export function subscribeRequest(args: Parameters<Command['run']>[0]): SubscribeRequest {
  const tasks = args.lists.get('task') ?? [];
  for (const t of tasks)
    if (!/^[0-9a-fA-F]+$/.test(t)) throw new UsageError(`--task expects a hex TASK_ID, got '${t}'`);
  const queue = args.values.get('queue');
  return {
    namespaces: args.lists.get('namespace') ?? [],
    event_types: args.lists.get('type') ?? [],
    off_contour_only: args.flags.has('off-contour'),
    process_patterns: args.lists.get('process') ?? [],
    task_ids: tasks.map((t) => t.toLowerCase()),
    ...(queue === undefined
      ? {}
      : {
          queue_size: Math.min(
            intOption(queue, '--queue', DEFAULT_SUBSCRIBER_QUEUE, 1),
            MAX_SUBSCRIBER_QUEUE
          ),
        }),
  };
}

type Notice = NonNullable<MonitorMessage__Output['event']>;

/** Says a source or subscriber drop, or a gap, on stderr; never silently. */
function sayLoss(m: MonitorMessage__Output, io: Io): void {
  if (m.dropped) {
    const d = m.dropped;
    const where = d.host || d.exporter ? ` at ${d.host || '?'}/${d.exporter || '?'}` : '';
    io.err(
      d.cause && d.cause !== 'subscriber-queue'
        ? `(source dropped ${d.count} events${where}: ${d.cause})\n`
        : `(dropped ${d.count} events: consumer too slow)\n`
    );
  }
  if (m.gap)
    io.err(
      `(gap: events ${m.gap.first_seq}-${m.gap.last_seq} of namespace ${m.gap.namespace} happened while disconnected and are no longer held: those matching the filters are missed)\n`
    );
}

async function follow(
  c: TsemClients,
  req: SubscribeRequest,
  io: Io,
  format: (n: Notice) => string,
  count: number | undefined
): Promise<number> {
  /** The last event sequence number seen per namespace: where a new subscription resumes. */
  const last = new Map<string, number>();
  let seen = 0;
  // Set when we end the call ourselves (--count reached, Ctrl-C): its CANCELLED status is success.
  let stopping = false;
  let call: ReturnType<TsemClients['monitor']['Subscribe']> | undefined;
  let wake: (() => void) | undefined;
  const stop = (): void => {
    stopping = true;
    call?.cancel();
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let connectedOnce = false;
  let pause = RETRY_FIRST_MS;
  try {
    for (;;) {
      const resume = [...last].map(([namespace, seq]) => ({ namespace, after_seq: String(seq) }));
      const current = c.monitor.Subscribe({ ...req, resume }, c.metadata);
      call = current;
      const ended = await new Promise<Error | undefined>((resolve) => {
        current.on('metadata', () => {
          if (connectedOnce && resume.length > 0)
            io.err('tsem watch: reconnected; resuming after the last events seen\n');
          else if (connectedOnce) io.err('tsem watch: reconnected\n');
          connectedOnce = true;
          pause = RETRY_FIRST_MS;
        });
        current.on('data', (m: MonitorMessage__Output) => {
          if (stopping) return;
          connectedOnce = true;
          sayLoss(m, io);
          if (!m.event) return;
          const seq = Number(m.event.verdict?.seq ?? 0);
          if (seq > 0) last.set(m.event.namespace, Math.max(last.get(m.event.namespace) ?? 0, seq));
          io.out(`${format(m.event)}\n`);
          if (count !== undefined && ++seen >= count) stop();
        });
        current.on('error', (e: Error) => resolve(e));
        current.on('end', () => resolve(undefined));
      });
      if (stopping) return EXIT.ok;
      const code = (ended as { code?: unknown } | undefined)?.code;
      const why = ended
        ? describeCallError(ended, c.address, c.hasToken, c.withheld)
        : `${c.address} ended the subscription`;
      // Never reached, or a refusal a new subscription cannot cure: say it and stop.
      if (
        !connectedOnce ||
        (typeof code === 'number' && !TRANSIENT.has(code) && code !== GRPC_CANCELLED)
      ) {
        io.err(`tsem watch: ${why}\n`);
        return EXIT.unavailable;
      }
      io.err(
        `tsem watch: connection lost (${why}); reconnecting in ${(pause / 1000).toFixed(1)} s\n`
      );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pause);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
      if (stopping) return EXIT.ok;
      pause = Math.min(pause * 2, RETRY_MAX_MS);
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `--nats`: the fleet's outputs stream, every engine's namespaces. */
async function followFleet(
  nats: NatsOptions,
  req: SubscribeRequest,
  fromStart: boolean,
  io: Io,
  format: (n: Notice) => string,
  count: number | undefined
): Promise<number> {
  if (req.queue_size !== undefined)
    throw new UsageError('--queue applies to an engine, not --nats');
  const { connectNats } = await import('../../fleet/nats/connect.js');
  const { followOutputs } = await import('../../fleet/watch/follow-outputs.js');
  const { WATCH_INBOX } = await import('../../fleet/nats/names.js');
  let nc;
  try {
    nc = await connectNats({ name: 'tsem-watch', inboxPrefix: WATCH_INBOX, ...nats });
  } catch (err) {
    io.err(`tsem watch: ${errorMessage(err)}\n`);
    return (err as { code?: string }).code === 'TSEM_UNAUTHENTICATED'
      ? EXIT.noPerm
      : EXIT.unavailable;
  }
  const connection = nc;
  try {
    const following = await followOutputs(
      connection,
      {
        namespaces: req.namespaces ?? [],
        eventTypes: req.event_types ?? [],
        offContourOnly: req.off_contour_only === true,
        processPatterns: req.process_patterns ?? [],
        taskIds: req.task_ids ?? [],
      },
      fromStart
    );
    const stop = (): void => void following.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let seen = 0;
    try {
      for await (const n of following) {
        io.out(`${format(n)}\n`);
        if (count !== undefined && ++seen >= count) break;
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await following.stop();
    }
    return EXIT.ok;
  } catch (err) {
    io.err(`tsem watch: ${errorMessage(err)}\n`);
    return /permission/i.test(errorMessage(err)) ? EXIT.noPerm : EXIT.unavailable;
  } finally {
    await connection.close();
  }
}

export const commands: Command[] = [
  {
    spec: {
      name: 'watch',
      summary: "follow a running engine's verdicts live, one line per event",
      usage: '',
      positionals: [0, 0],
      options: [
        { name: 'namespace', kind: 'list', arg: 'NS', help: 'only this namespace (repeatable)' },
        {
          name: 'off-contour',
          kind: 'flag',
          help: 'only off-contour events, would-be-off-contour events and denials',
        },
        {
          name: 'type',
          kind: 'list',
          arg: 'HOOK',
          help: 'only this event type, e.g. file_open (repeatable)',
        },
        {
          name: 'process',
          kind: 'list',
          arg: 'GLOB',
          help: "only processes whose name matches, e.g. 'nginx*' (repeatable)",
        },
        { name: 'task', kind: 'list', arg: 'HEX', help: 'only this TASK_ID (repeatable)' },
        {
          name: 'queue',
          kind: 'string',
          arg: 'N',
          help: `server-side queue for this watcher (default ${DEFAULT_SUBSCRIBER_QUEUE}, max ${MAX_SUBSCRIBER_QUEUE})`,
        },
        { name: 'json', kind: 'flag', help: 'one JSON object per line' },
        { name: 'count', kind: 'string', arg: 'N', help: 'exit after N events' },
        ...CONNECTION_OPTIONS,
        ...NATS_OPTIONS,
        {
          name: 'from-start',
          kind: 'flag',
          help: 'with --nats: every notice the outputs stream still holds, then live ones',
        },
      ],
      details: [
        'Filters are ANDed; repeated values of one filter are ORed. When this watcher falls behind, the engine drops events and says how many on stderr; so are events a source dropped, with the cause.',
        'A lost connection (the engine restarted) is reconnected with growing pauses, said on stderr; the watch resumes after the last event seen of each namespace, and a gap line names the events the engine no longer held.',
        'Exit status: 0 at --count or Ctrl-C; 69 when the engine cannot be reached or refuses the subscription.',
      ].join('\n'),
    },
    async run(args, io) {
      const req = subscribeRequest(args);
      const countRaw = args.values.get('count');
      const count = countRaw === undefined ? undefined : intOption(countRaw, '--count', 1, 1);
      const f = await import('../notice-format.js');
      const format = args.flags.has('json') ? f.formatNoticeJson : f.formatNoticeLine;
      const nats = natsOptions(args);
      if (nats && args.values.has('server'))
        throw new UsageError('--nats follows the fleet; --server follows one engine: give one');
      if (nats) return followFleet(nats, req, args.flags.has('from-start'), io, format, count);
      if (args.flags.has('from-start')) throw new UsageError('--from-start applies to --nats only');
      return runRemote('watch', args, io, (c) => follow(c, req, io, format, count));
    },
  },
];
