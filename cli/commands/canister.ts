/** `tsem canister list`: the canisters (`tsem run`) an engine routes now or finished recently. */
import { callControl, CONNECTION_OPTIONS, runRemote } from '../client.js';
import type { Command } from '../command.js';
import type { CanisterInfo__Output } from '../../proto/gen/tsem/v1/CanisterInfo.js';
import { formatTable } from './ns.js';

const iso = (ms: string) => (ms === '0' ? '' : new Date(Number(ms)).toISOString());

function canisterJson(c: CanisterInfo__Output) {
  return {
    host: c.host,
    cgroup: c.cgroup_path,
    cgroup_id: c.cgroup_id,
    namespace: c.namespace,
    label: c.label || null,
    command: c.command,
    started: iso(c.started_ms),
    finished: iso(c.finished_ms) || null,
    events: Number(c.events),
  };
}

export const commands: Command[] = [
  {
    spec: {
      name: 'canister list',
      summary: 'list running canisters (tsem run) and those finished in the last minute',
      usage: '',
      positionals: [0, 0],
      options: [
        { name: 'json', kind: 'flag', help: 'one JSON object per line' },
        ...CONNECTION_OPTIONS,
      ],
    },
    run: (args, io) =>
      runRemote('canister list', args, io, async (c) => {
        const r = await callControl(c, 'ListCanisters', {});
        const list = r.canisters.map(canisterJson);
        if (args.flags.has('json')) {
          for (const x of list) io.out(JSON.stringify(x) + '\n');
          io.out(JSON.stringify({ canisters: list.length }) + '\n');
          return 0;
        }
        if (list.length === 0) {
          io.out('no canisters\n');
          return 0;
        }
        const rows = list.map((x) => [
          x.namespace,
          x.label ?? '',
          x.host,
          x.cgroup,
          x.finished ? 'finished' : 'running',
          String(x.events),
          x.command,
        ]);
        io.out(
          formatTable(['NAMESPACE', 'LABEL', 'HOST', 'CGROUP', 'STATE', 'EVENTS', 'COMMAND'], rows)
        );
        return 0;
      }),
  },
];
