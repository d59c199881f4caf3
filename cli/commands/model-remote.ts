/** `tsem model export|load`: a namespace's model file to and from a running engine (Control service). */
import { existsSync } from 'node:fs';
import { type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import { callControl, CONNECTION_OPTIONS, runRemote } from '../client.js';
import type { Command } from '../command.js';

const NAMESPACE: OptionSpec = {
  name: 'namespace',
  kind: 'string',
  arg: 'NS',
  help: 'the namespace on the engine (required)',
};

function namespaceOf(args: ParsedArgs): string {
  const ns = args.values.get('namespace');
  if (ns === undefined || ns === '') throw new UsageError('--namespace NS is required');
  return ns;
}

const exportModel: Command = {
  spec: {
    name: 'model export',
    summary: "write a namespace's model file (tsem-model.md §4.2) from a running engine",
    usage: '',
    positionals: [0, 0],
    options: [
      NAMESPACE,
      {
        name: 'output',
        short: 'o',
        kind: 'string',
        arg: 'FILE',
        help: 'write to FILE instead of stdout',
      },
      {
        name: 'include-forensics',
        kind: 'flag',
        help: 'also export forensic points (back-propagation into the model)',
      },
      ...CONNECTION_OPTIONS,
    ],
  },
  run: (args, io) => {
    const name = namespaceOf(args);
    return runRemote('model export', args, io, async (c) => {
      const r = await callControl(c, 'ExportModel', {
        name,
        include_forensics: args.flags.has('include-forensics'),
      });
      const { writeOutput } = await import('../io-util.js');
      writeOutput(io, r.model, args.values.get('output'));
      return 0;
    });
  },
};

const loadModel: Command = {
  spec: {
    name: 'model load',
    summary: 'load a model file into a namespace of a running engine',
    usage: '<model-file>',
    positionals: [1, 1],
    options: [
      NAMESPACE,
      { name: 'create', kind: 'flag', help: 'create the namespace when it does not exist' },
      {
        name: 'signature',
        kind: 'string',
        arg: 'FILE',
        help: 'detached Ed25519 signature to send (default MODEL.sig when it exists)',
      },
      ...CONNECTION_OPTIONS,
    ],
    details:
      'The engine parses the model with the namespace digest and replaces its map; the mode is kept.\n' +
      'A model whose signature is bad is refused; a server or namespace that requires signed models refuses unsigned ones and ones signed by a key it does not trust.',
  },
  run: async (args, io) => {
    const name = namespaceOf(args);
    const { readInput } = await import('../io-util.js');
    const file = args.positionals[0]!;
    const model = readInput(file, 'model file').toString('utf8');
    const sigFile = args.values.get('signature') ?? `${file}.sig`;
    const signature =
      args.values.has('signature') || existsSync(sigFile)
        ? readInput(sigFile, 'signature').toString('utf8')
        : '';
    return runRemote('model load', args, io, async (c) => {
      const info = await callControl(c, 'LoadModel', {
        name,
        model,
        create: args.flags.has('create'),
        signature,
      });
      io.out(
        `loaded ${file} into namespace ${info.name}: points ${info.points} measurement ${info.measurement}\n`
      );
      return 0;
    });
  },
};

export const commands: Command[] = [exportModel, loadModel];
