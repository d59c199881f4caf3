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
      {
        name: 'pure-quixote',
        kind: 'flag',
        help: "Quixote's format only: no # tsem: header or point description lines",
      },
      ...CONNECTION_OPTIONS,
    ],
    details: [
      "The file leads with # tsem: lines naming its digest, dialect and origin, and each point's",
      'count and first event (docs/policy-authoring.md §4); Quixote reads them as comments.',
    ].join('\n'),
  },
  run: (args, io) => {
    const name = namespaceOf(args);
    return runRemote('model export', args, io, async (c) => {
      const r = await callControl(c, 'ExportModel', {
        name,
        include_forensics: args.flags.has('include-forensics'),
        pure_quixote: args.flags.has('pure-quixote'),
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
      {
        name: 'merge',
        kind: 'flag',
        help: "add the model's points to a namespace that holds some (forensic points and findings among them become valid)",
      },
      {
        name: 'replace',
        kind: 'flag',
        help: "start the namespace's map over with the model (points, trajectory, forensics, findings)",
      },
      ...CONNECTION_OPTIONS,
    ],
    details: [
      "The engine parses the model with the namespace's digest; a # tsem: header naming another",
      'digest or dialect is refused (65). A namespace holding points or findings needs --merge or',
      '--replace. The mode is kept unless the model has a seal line; tasks keep their trust.',
      'A model whose signature is bad is refused; a server or namespace that requires signed models',
      'refuses unsigned ones and ones signed by a key it does not trust.',
    ].join('\n'),
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
    if (args.flags.has('merge') && args.flags.has('replace'))
      throw new UsageError('--merge and --replace exclude each other');
    return runRemote('model load', args, io, async (c) => {
      const info = await callControl(c, 'LoadModel', {
        name,
        model,
        create: args.flags.has('create'),
        signature,
        merge: args.flags.has('merge'),
        replace: args.flags.has('replace'),
      });
      for (const w of info.warnings) io.err(`warning: ${w}\n`);
      const changed = [
        Number(info.promoted_points) > 0 ? `forensic made valid ${info.promoted_points}` : '',
        Number(info.accepted_findings) > 0 ? `findings accepted ${info.accepted_findings}` : '',
      ].filter(Boolean);
      io.out(
        `loaded ${file} into namespace ${info.name}: points ${info.points} measurement ${info.measurement}${changed.length ? ` (${changed.join(', ')})` : ''}\n`
      );
      return 0;
    });
  },
};

export const commands: Command[] = [exportModel, loadModel];
