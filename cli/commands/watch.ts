/** `tsem watch`: follow a running engine's verdicts live (Monitor.Subscribe). */
import { intOption, UsageError } from '../args.js';
import {
  ClientError,
  CONNECTION_OPTIONS,
  describeCallError,
  runRemote,
  type TsemClients,
} from '../client.js';
import type { Command, Io } from '../command.js';
import type { MonitorMessage__Output } from '../../proto/gen/tsem/v1/MonitorMessage.js';
import type { SubscribeRequest } from '../../proto/gen/tsem/v1/SubscribeRequest.js';
import { DEFAULT_SUBSCRIBER_QUEUE, MAX_SUBSCRIBER_QUEUE } from '../../proto/limits.js';
import { errorMessage } from '../../common/errors.js';
import type { NatsOptions } from '../../fleet/nats/connect.js';
import { EXIT } from '../exit-status.js';
import { NATS_OPTIONS, natsOptions } from '../nats-options.js';

/** tsem.proto SubscribeRequest.queue_size bound. */
const GRPC_CANCELLED = 1;

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

function follow(
  c: TsemClients,
  req: SubscribeRequest,
  io: Io,
  format: (n: Notice) => string,
  count: number | undefined
): Promise<number> {
  const call = c.monitor.Subscribe(req, c.metadata);
  let seen = 0;
  // Set when we end the call ourselves (--count reached, Ctrl-C): its CANCELLED status is success.
  let stopping = false;
  const stop = (): void => {
    stopping = true;
    call.cancel();
  };
  process.once('SIGINT', stop);
  return new Promise<number>((resolve, reject) => {
    call.on('data', (m: MonitorMessage__Output) => {
      if (stopping) return;
      if (m.dropped) {
        io.err(`(dropped ${m.dropped.count} events: consumer too slow)\n`);
        return;
      }
      if (!m.event) return;
      io.out(`${format(m.event)}\n`);
      if (count !== undefined && ++seen >= count) stop();
    });
    call.on('error', (e: Error & { code?: number }) => {
      if (stopping && e.code === GRPC_CANCELLED) resolve(0);
      else
        reject(
          new ClientError(describeCallError(e, c.address, c.hasToken, c.withheld), { cause: e })
        );
    });
    call.on('end', () => resolve(0));
  }).finally(() => process.off('SIGINT', stop));
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
      details:
        'Filters are ANDed; repeated values of one filter are ORed. When this watcher falls behind, the engine drops events and says how many on stderr.',
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
