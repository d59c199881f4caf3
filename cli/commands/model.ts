/** `tsem model build|show|diff|merge`: offline work on trajectories and model files. */
import type { Command, Io } from '../command.js';
import { JSON_OPTION, Printer } from '../output.js';
import {
  DIALECT,
  DIGEST,
  type Dialect,
  digestNamed,
  modelEngine,
  lineHandling,
  OUT,
  PURE,
  readModel,
  STRICT,
  strictly,
} from '../model-io.js';
import { type ParsedArgs, UsageError } from '../args.js';
import { isPromotion, PROMOTE_DETAILS, PROMOTE_OPTIONS, promoteToLabel } from '../model-promote.js';
import type { ModelFile, PointNote } from '../../engine/contour/model-file.js';

/** `# tsem:` lines of a model: who made it and what for. */
const ORIGIN = {
  name: 'origin',
  kind: 'string',
  arg: 'TEXT',
  help: "the header's origin line (default: what built it, from which file)",
} as const;

export function warn(io: Io, warnings: readonly string[]): void {
  for (const w of warnings) io.err(`warning: ${w}\n`);
}

/** A point's note as one line: count, type, process, subject (or nothing without a note). */
export async function noteText(n: PointNote | undefined): Promise<string> {
  if (!n) return '';
  const { subjectOf } = await import('../../engine/event/describe.js');
  const d = n.description;
  return [
    n.count !== undefined ? `count ${n.count}` : '',
    d ? `${d.type} ${d.process} ${subjectOf(d)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

const build: Command = {
  spec: {
    name: 'model build',
    summary: 'map a TSEM JSON trajectory (or export stream) into a model file',
    usage: '<trajectory-file>',
    positionals: [1, 1],
    options: [
      { ...DIGEST, help: 'namespace hash: sha256 (default), sha384, sha512, sha3-256, ...' },
      {
        name: 'aggregate',
        kind: 'string',
        arg: 'HEX',
        help: "hardware aggregate (default: the stream's aggregate record, else zero)",
      },
      { ...DIALECT, help: 'coefficient dialect (default tsem-6.12)' },
      {
        name: 'pseudonym',
        kind: 'list',
        arg: 'PATH',
        help: 'declare a pseudonym for PATH and map with it (repeatable; tsem-model.md §2.8)',
      },
      ORIGIN,
      PURE,
      STRICT,
      OUT,
    ],
    details: [
      'Writes the # tsem: header (digest, dialect, origin) and one description line per point,',
      'then aggregate, one state line per unique coefficient in first-seen order, pseudonyms, end.',
      'A line that cannot be parsed is reported with its line number and skipped; the model is',
      'still written and the exit status is 1 (65 and no model with --strict).',
    ].join('\n'),
  },
  run: (args, io) => strictly('model build', io, () => buildModel(args, io)),
};

async function buildModel(args: ParsedArgs, io: Io): Promise<number> {
  {
    const e = await modelEngine();
    const [{ NamespaceModel, createNamespaceConfig }, { replayLines, splitLines }, { pseudonym }] =
      await Promise.all([
        import('../../engine/ns/namespace-model.js'),
        import('../../engine/ns/replay.js'),
        import('../../engine/measure/mapper.js'),
      ]);
    const alg = await digestNamed(args.values.get('digest') ?? 'sha256');
    const aggHex = args.values.get('aggregate');
    const aggregate =
      aggHex === undefined ? undefined : e.parseDigestHex(aggHex, alg, '--aggregate');
    const dialect = (args.values.get('dialect') ?? 'tsem-6.12') as Dialect;
    const ns = new NamespaceModel(
      createNamespaceConfig({ id: 'build', digest: alg.name, aggregate, dialect })
    );
    const paths = args.lists.get('pseudonym') ?? [];
    if (paths.length > 0)
      ns.loadModel({
        digest: alg.name,
        comments: [],
        states: [],
        pseudonyms: paths.map((p) => pseudonym(alg, Buffer.from(p, 'utf8'))),
        sealed: false,
      });
    const file = args.positionals[0]!;
    const counts = replayLines(ns, splitLines(e.readInput(file, 'trajectory file')), {
      source: file,
      acceptAggregate: aggregate === undefined,
      ...lineHandling('model build', args, io),
    });
    const m = ns.exportModel();
    const notes = new Map<string, PointNote>(
      ns.points().map((p) => {
        const d = ns.pendingDescription(p.hex);
        const description = d && (({ line: _l, ...rest }) => rest)(d);
        return [p.hex, { count: p.count, description }];
      })
    );
    const text = e.formatModelFile(
      {
        ...m,
        sealed: false,
        header: {
          digest: alg.name,
          dialect,
          origin: args.values.get('origin') ?? `tsem model build ${file}`,
        },
        notes,
      },
      { pure: args.flags.has('pure-quixote') }
    );
    e.writeOutput(io, text, args.values.get('output'));
    if (counts.rejected === 0) return 0;
    io.err(`tsem model build: ${counts.rejected} line(s) of ${file} could not be parsed\n`);
    return 1;
  }
}

const show: Command = {
  spec: {
    name: 'model show',
    summary: 'print header, aggregate, measurement, state and points of a model as loaded',
    usage: '<model-file>',
    positionals: [1, 1],
    options: [DIGEST, DIALECT, JSON_OPTION],
    details: [
      'The measurement extends the aggregate first, then the states in file order (tsem-model.md §2.6).',
      'A model with point descriptions lists each point: coefficient, count, type, process, subject.',
    ].join('\n'),
  },
  async run(args, io) {
    const e = await modelEngine();
    const { alg, model, dialect, warnings } = await readModel(args.positionals[0]!, args);
    warn(io, warnings);
    const s = e.summarizeModel(model, alg);
    const rows: [string, string | number | boolean][] = [
      ['digest', alg.name],
      ['dialect', model.header?.dialect ?? `${dialect} (no header)`],
      ...(model.header?.origin !== undefined
        ? [['origin', model.header.origin] as [string, string]]
        : []),
      ['aggregate', s.aggregate.toString('hex')],
      ['measurement', s.measurement.toString('hex')],
      ['state', s.state.toString('hex')],
      ['points', s.points],
      ['described', [...(model.notes?.values() ?? [])].filter((n) => n.description).length],
      ['pseudonyms', s.pseudonyms],
      ['sealed', s.sealed],
    ];
    const p = new Printer(io, args);
    if (p.json) {
      for (const st of model.states) {
        const hex = st.toString('hex');
        const n = model.notes?.get(hex);
        p.record(
          { coefficient: hex, count: n?.count ?? null, description: n?.description ?? null },
          ''
        );
      }
      p.summary(Object.fromEntries(rows));
      return 0;
    }
    for (const [k, v] of rows)
      p.record({}, `${k} ${typeof v === 'boolean' ? (v ? 'yes' : 'no') : v}`);
    if (model.notes && model.notes.size > 0)
      for (const st of model.states) {
        const hex = st.toString('hex');
        p.record({}, `point ${hex} ${await noteText(model.notes.get(hex))}`.trimEnd());
      }
    return 0;
  },
};

const diff: Command = {
  spec: {
    name: 'model diff',
    summary: 'compare the points of two models, with their descriptions (exit 1 when they differ)',
    usage: '<model-a> <model-b>',
    positionals: [2, 2],
    options: [DIGEST, DIALECT, JSON_OPTION],
  },
  async run(args, io) {
    const e = await modelEngine();
    const a = await readModel(args.positionals[0]!, args);
    const b = await readModel(args.positionals[1]!, args);
    warn(io, [...a.warnings, ...b.warnings]);
    if (a.alg.name !== b.alg.name)
      throw new (await import('../../common/errors.js')).EngineError(
        'TSEM_MODEL_FILE',
        `cannot compare a ${a.alg.name} model with a ${b.alg.name} model`
      );
    const d = e.diffModels(a.model, b.model);
    const p = new Printer(io, args);
    for (const [sign, list, m] of [
      ['-', d.onlyA, a.model],
      ['+', d.onlyB, b.model],
    ] as const)
      for (const pt of list) {
        const hex = pt.toString('hex');
        const note = m.notes?.get(hex);
        const text = await noteText(note);
        p.record(
          {
            side: sign === '-' ? 'a' : 'b',
            coefficient: hex,
            count: note?.count ?? null,
            description: note?.description ?? null,
          },
          `${sign} ${hex}${text ? `  ${text}` : ''}`
        );
      }
    if (d.aggregateDiffers) p.text('aggregate differs');
    if (d.baseDiffers) p.text('base differs');
    p.summary(
      {
        common: d.common,
        only_a: d.onlyA.length,
        only_b: d.onlyB.length,
        aggregate_differs: d.aggregateDiffers,
        base_differs: d.baseDiffers,
      },
      `common ${d.common} only-a ${d.onlyA.length} only-b ${d.onlyB.length}`
    );
    return d.onlyA.length || d.onlyB.length || d.aggregateDiffers || d.baseDiffers ? 1 : 0;
  },
};

const merge: Command = {
  spec: {
    name: 'model merge',
    summary: 'write the union of the points of two or more models',
    usage: '<model> <model> [<model>…] | --label L --namespace NS… --nats URL',
    positionals: [0, Infinity],
    options: [DIGEST, DIALECT, PURE, OUT, JSON_OPTION, ...PROMOTE_OPTIONS],
    details: [
      "Points in the first model's order, then each next model's new ones. Digest, dialect,",
      'aggregate and base must agree; the first description of a point is kept, counts add up.',
      PROMOTE_DETAILS,
    ].join('\n'),
  },
  async run(args, io) {
    if (isPromotion(args)) {
      const fileOnly = ['digest', 'dialect', 'output', 'pure-quixote'].find(
        (o) => args.values.has(o) || args.flags.has(o)
      );
      if (fileOnly !== undefined)
        throw new UsageError(`--${fileOnly} applies to merging model files, not --label`);
      return promoteToLabel(args, io);
    }
    if (args.flags.has('json'))
      throw new UsageError('--json applies with --label (merging model files writes a model)');
    if (args.positionals.length < 2)
      throw new UsageError(
        'expected two or more model files (or --label L --namespace NS… --nats URL)'
      );
    const e = await modelEngine();
    const models: ModelFile[] = [];
    for (const path of args.positionals) {
      const r = await readModel(path, args);
      warn(io, r.warnings);
      models.push(r.model);
    }
    const merged = e.mergeModels(...models);
    e.writeOutput(
      io,
      e.formatModelFile(merged, { pure: args.flags.has('pure-quixote') }),
      args.values.get('output')
    );
    io.err(`merged ${models.length} models: ${merged.states.length} points\n`);
    return 0;
  },
};

export const commands: Command[] = [build, show, diff, merge];
