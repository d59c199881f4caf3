/**
 * `tsem alerts relay --nats URL --alert SPEC…`: the fleet's incidents (every engine's alert-log
 * records on the outputs stream) delivered to operator outputs from anywhere, with a watcher's
 * credential (docs/fleet.md §5). One line per record relayed; runs until Ctrl-C or --count.
 */
import { intOption, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { errorMessage } from '../../common/errors.js';
import { packageInfo } from '../../common/package-info.js';
import { createAlertSink } from '../../engine/alert/create-sink.js';
import { EXIT } from '../exit-status.js';
import { ALERT_OPTION, alertOutputs } from '../alert-output-options.js';
import { NATS_OPTIONS, natsOptions } from '../nats-options.js';
import { escapeControl, JSON_OPTION } from '../output.js';

const DEFAULT_DURABLE = 'tsem-relay';

export const commands: Command[] = [
  {
    spec: {
      name: 'alerts relay',
      summary: "deliver the fleet's incidents (from NATS) to webhook, syslog or file outputs",
      usage: '',
      positionals: [0, 0],
      options: [
        ALERT_OPTION,
        { name: 'namespace', kind: 'string', arg: 'NS', help: "only this namespace's incidents" },
        {
          name: 'durable',
          kind: 'string',
          arg: 'NAME',
          help: `the relay's name on the server: it resumes there after a restart (default ${DEFAULT_DURABLE})`,
        },
        {
          name: 'from-start',
          kind: 'flag',
          help: 'on first start: every record the stream still holds, not only new ones',
        },
        { name: 'count', kind: 'string', arg: 'N', help: 'exit after N records relayed' },
        JSON_OPTION,
        ...NATS_OPTIONS,
      ],
      details: [
        'Every engine of the fleet publishes its alert-log records (each version of an incident: open, update, close) to the outputs stream; the relay delivers each to every --alert output in order, retrying while one fails, and acknowledges it once all have it. A relay that stops resumes after the last record acknowledged (at least once: receivers de-duplicate by the record id, incident id and version).',
        'Exit status: 0 at --count or Ctrl-C; 2 without --nats or --alert; 69 when NATS cannot be reached; 77 when the credential is refused.',
      ].join('\n'),
    },
    async run(args, io) {
      const nats = natsOptions(args);
      if (!nats) throw new UsageError('--nats URL is required: the relay reads the fleet');
      const specs = alertOutputs(args);
      if (specs.length === 0) throw new UsageError('give at least one --alert output');
      const countRaw = args.values.get('count');
      const count = countRaw === undefined ? undefined : intOption(countRaw, '--count', 1, 1);
      const durable = args.values.get('durable') ?? DEFAULT_DURABLE;
      if (!/^[A-Za-z0-9_-]+$/.test(durable))
        throw new UsageError(`--durable expects letters, digits, _ and -, got '${durable}'`);
      const pkg = packageInfo();
      const product = { name: pkg.name, version: pkg.version };
      // Built first: a webhook's missing secret is a usage error before anything connects.
      let outputs;
      try {
        outputs = specs.map((s) => ({
          name: s.name,
          sink: createAlertSink(s, product, process.env),
        }));
      } catch (err) {
        throw new UsageError(errorMessage(err));
      }
      const { connectNats } = await import('../../fleet/nats/connect.js');
      const { startRelay } = await import('../../fleet/alerts/relay.js');
      const { WATCH_INBOX } = await import('../../fleet/nats/names.js');
      let nc;
      try {
        nc = await connectNats({ name: 'tsem-alerts-relay', inboxPrefix: WATCH_INBOX, ...nats });
      } catch (err) {
        io.err(`tsem alerts relay: ${errorMessage(err)}\n`);
        return (err as { code?: string }).code === 'TSEM_UNAUTHENTICATED'
          ? EXIT.noPerm
          : EXIT.unavailable;
      }
      const connection = nc;
      let seen = 0;
      let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
      // A signal while the relay starts stops it as soon as it runs.
      let stopping = false;
      const stop = (): void => {
        stopping = true;
        void relay?.stop();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        relay = await startRelay(connection, {
          durable,
          namespace: args.values.get('namespace'),
          fromStart: args.flags.has('from-start'),
          outputs,
          log: (m) => io.err(`tsem alerts relay: ${escapeControl(m)}\n`),
          relayed(r, refusedBy) {
            const i = r.incident;
            io.out(
              args.flags.has('json')
                ? `${JSON.stringify({ id: i.id, version: i.version, activity: r.activity, namespace: i.namespace, host: i.host, severity: i.severity, refused_by: refusedBy })}\n`
                : `${escapeControl(`${r.activity} ${i.id} v${i.version} ${i.severity} ${i.namespace}@${i.host}${refusedBy.length > 0 ? ` (refused by ${refusedBy.join(', ')})` : ''}`)}\n`
            );
            if (count !== undefined && ++seen >= count) stop();
          },
        });
        if (stopping) void relay.stop();
        await relay.done;
        return EXIT.ok;
      } catch (err) {
        io.err(`tsem alerts relay: ${errorMessage(err)}\n`);
        if (err instanceof UsageError) throw err;
        if ((err as { code?: string }).code === 'TSEM_INVALID_ARGUMENT') return EXIT.usage;
        return /permission/i.test(errorMessage(err)) ? EXIT.noPerm : EXIT.unavailable;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await relay?.stop();
        await connection.close();
      }
    },
  },
];
