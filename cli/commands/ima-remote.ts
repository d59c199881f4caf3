/** `tsem ima log`: a namespace's IMA measurement list from a running engine (Control.GetImaLog). */
import { type ParsedArgs, UsageError } from '../args.js';
import { callControl, CONNECTION_OPTIONS, runRemote } from '../client.js';
import type { Command } from '../command.js';

function namespaceOf(args: ParsedArgs): string {
  const ns = args.values.get('namespace');
  if (ns === undefined || ns === '') throw new UsageError('--namespace NS is required');
  return ns;
}

export const commands: Command[] = [
  {
    spec: {
      name: 'ima log',
      summary:
        "fetch a namespace's IMA measurement list (ascii or binary runtime measurements) from a running engine",
      usage: '',
      positionals: [0, 0],
      options: [
        {
          name: 'namespace',
          kind: 'string',
          arg: 'NS',
          help: 'the namespace on the engine (required)',
        },
        {
          name: 'format',
          kind: 'string',
          arg: 'FORMAT',
          choices: ['ascii', 'binary'],
          help: 'list format (default ascii)',
        },
        {
          name: 'bank',
          kind: 'string',
          arg: 'NAME',
          help: 'template digest bank: sha1 (default), sha256, sha384, sha512',
        },
        {
          name: 'output',
          short: 'o',
          kind: 'string',
          arg: 'FILE',
          help: 'write to FILE (required for binary)',
        },
        ...CONNECTION_OPTIONS,
      ],
      details: 'Prints the list, then `entries N` and `pcr10 BANK HEX` on stderr.',
    },
    run: (args, io) => {
      const name = namespaceOf(args);
      const format = args.values.get('format') ?? 'ascii';
      const out = args.values.get('output');
      if (format === 'binary' && (out === undefined || out === '-'))
        throw new UsageError('--format binary needs -o FILE');
      return runRemote('ima log', args, io, async (c) => {
        const bank = args.values.get('bank') ?? 'sha1';
        const r = await callControl(c, 'GetImaLog', { name, format, bank });
        if (out !== undefined && out !== '-') (await import('node:fs')).writeFileSync(out, r.log);
        else io.out(r.log.toString('utf8'));
        io.err(`entries ${r.entries}\npcr10 ${bank} ${r.pcr10}\n`);
        return 0;
      });
    },
  },
];
