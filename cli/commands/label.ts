/**
 * `tsem label …`: the models a running engine stores per label (a workload's name), from which
 * `tsem run --label LABEL` creates its namespace (Control ListLabels, GetLabelModel,
 * SaveLabelModel, DeleteLabel).
 */
import { existsSync } from 'node:fs';
import { type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import { callControl, CONNECTION_OPTIONS, runRemote, type TsemClients } from '../client.js';
import type { Command, Io } from '../command.js';
import type { LabelInfo__Output } from '../../proto/gen/tsem/v1/LabelInfo.js';
import { formatTable } from './ns.js';

const JSON_FLAG: OptionSpec = { name: 'json', kind: 'flag', help: 'one JSON object per line' };

function remote(
  name: string,
  summary: string,
  usage: string,
  positionals: readonly [number, number],
  options: readonly OptionSpec[],
  body: (c: TsemClients, args: ParsedArgs, io: Io) => Promise<number>
): Command {
  return {
    spec: { name, summary, usage, positionals, options: [...options, ...CONNECTION_OPTIONS] },
    run: (args, io) => runRemote(name, args, io, (c) => body(c, args, io)),
  };
}

function labelJson(l: LabelInfo__Output) {
  return {
    label: l.label,
    digest: l.digest,
    dialect: l.dialect,
    points: Number(l.points),
    updated: new Date(Number(l.updated_ms)).toISOString(),
    source: l.source,
    signed: l.signed,
  };
}

export const commands: Command[] = [
  remote(
    'label list',
    'list the labels with a stored model',
    '',
    [0, 0],
    [JSON_FLAG],
    async (c, args, io) => {
      const r = await callControl(c, 'ListLabels', {});
      if (args.flags.has('json')) {
        for (const l of r.labels) io.out(JSON.stringify(labelJson(l)) + '\n');
        io.out(JSON.stringify({ labels: r.labels.length }) + '\n');
        return 0;
      }
      if (r.labels.length === 0) {
        io.out('no labels\n');
        return 0;
      }
      const rows = r.labels.map((l) => {
        const j = labelJson(l);
        return [
          j.label,
          j.digest,
          j.dialect,
          String(j.points),
          j.signed ? 'yes' : 'no',
          j.updated,
          j.source,
        ];
      });
      io.out(
        formatTable(['LABEL', 'DIGEST', 'DIALECT', 'POINTS', 'SIGNED', 'UPDATED', 'SOURCE'], rows)
      );
      return 0;
    }
  ),
  remote(
    'label export',
    "write a label's stored model file",
    '<label>',
    [1, 1],
    [
      {
        name: 'output',
        short: 'o',
        kind: 'string',
        arg: 'FILE',
        help: 'write to FILE, not stdout',
      },
    ],
    async (c, args, io) => {
      const r = await callControl(c, 'GetLabelModel', { label: args.positionals[0]! });
      const { writeOutput } = await import('../io-util.js');
      const out = args.values.get('output');
      writeOutput(io, r.model, out);
      // The signature goes beside the file, where model load and tsem run look for it.
      if (r.signature && out !== undefined && out !== '-')
        writeOutput(io, r.signature, `${out}.sig`);
      return 0;
    }
  ),
  remote(
    'label save',
    "store a label's model: a namespace's current model, or a model file",
    '<label>',
    [1, 1],
    [
      { name: 'namespace', kind: 'string', arg: 'NS', help: 'the namespace whose model to store' },
      { name: 'model', kind: 'string', arg: 'FILE', help: 'the model file to store' },
      {
        name: 'signature',
        kind: 'string',
        arg: 'FILE',
        help: "the model file's detached signature, stored with it (default FILE.sig when it exists)",
      },
      {
        name: 'digest',
        kind: 'string',
        arg: 'NAME',
        help: "the model file's hash (default sha256)",
      },
      {
        name: 'dialect',
        kind: 'string',
        arg: 'NAME',
        choices: ['tsem-6.12', 'quixote-us'],
        help: "the model file's dialect (default tsem-6.12)",
      },
    ],
    async (c, args, io) => {
      const ns = args.values.get('namespace');
      const file = args.values.get('model');
      if ((ns === undefined) === (file === undefined))
        throw new UsageError('expected either --namespace NS or --model FILE');
      let model = '';
      let signature = '';
      if (file !== undefined) {
        const { readInput } = await import('../io-util.js');
        model = readInput(file, 'model file').toString('utf8');
        const sigFile = args.values.get('signature') ?? `${file}.sig`;
        if (args.values.has('signature') || existsSync(sigFile))
          signature = readInput(sigFile, 'signature').toString('utf8');
      } else if (args.values.has('signature')) {
        throw new UsageError('--signature goes with --model FILE');
      }
      const l = await callControl(c, 'SaveLabelModel', {
        label: args.positionals[0]!,
        namespace: ns ?? '',
        model,
        digest: args.values.get('digest') ?? '',
        dialect: args.values.get('dialect') ?? '',
        signature,
      });
      io.out(
        `label ${l.label}: stored ${l.points} points (${l.digest}, ${l.source}${l.signed ? ', signed' : ''})\n`
      );
      return 0;
    }
  ),
  remote(
    'label delete',
    "delete a label's stored model",
    '<label>',
    [1, 1],
    [],
    async (c, args, io) => {
      await callControl(c, 'DeleteLabel', { label: args.positionals[0]! });
      io.out(`deleted label ${args.positionals[0]}\n`);
      return 0;
    }
  ),
];
