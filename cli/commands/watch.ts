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
      return runRemote('watch', args, io, (c) => follow(c, req, io, format, count));
    },
  },
];
