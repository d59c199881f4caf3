/** `tsem model prune|pseudonym`: change a model file offline (docs/policy-authoring.md §4). */
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { JSON_OPTION, Printer } from '../output.js';
import { DIALECT, DIGEST, digestNamed, modelEngine, OUT, PURE, readModel } from '../model-io.js';
import { noteText, warn } from './model.js';

/** `--process GLOB` values as matchers (linear-time globs; an over-long one is a usage error). */
async function globs(patterns: readonly string[]) {
  const { compileGlob } = await import('../../engine/server/glob.js');
  return patterns.map((p) => {
    try {
      return compileGlob(p);
    } catch (err) {
      throw new UsageError(`--process: ${(err as Error).message}`);
    }
  });
}

const prune: Command = {
  spec: {
    name: 'model prune',
    summary: 'drop points from a model by count, coefficient, event type or process',
    usage: '<model-file>',
    positionals: [1, 1],
    options: [
      {
        name: 'min-count',
        kind: 'string',
        arg: 'N',
        help: 'drop points counted fewer than N times',
      },
      { name: 'drop', kind: 'list', arg: 'HEX', help: 'drop this coefficient (repeatable)' },
      {
        name: 'type',
        kind: 'list',
        arg: 'HOOK',
        help: 'drop points of this event type (repeatable)',
      },
      {
        name: 'process',
        kind: 'list',
        arg: 'GLOB',
        help: "drop points of processes matching, e.g. 'cron*' (repeatable)",
      },
      DIGEST,
      DIALECT,
      PURE,
      OUT,
      { ...JSON_OPTION, help: 'list the dropped points as JSON lines on stderr, then a summary' },
    ],
    details: [
      'Count, type and process rules need the counts and descriptions of the # tsem: lines; points',
      'without them are kept and counted as unjudged. Prints the dropped points on stderr.',
      'To drop points from a running namespace: model export, prune, model load --replace.',
    ].join('\n'),
  },
  async run(args, io) {
    const rules = {
      minCount: args.values.has('min-count')
        ? (await import('../args.js')).intOption(args.values.get('min-count'), '--min-count', 0)
        : undefined,
      coefficients: new Set((args.lists.get('drop') ?? []).map((h) => h.toLowerCase())),
      types: args.lists.get('type') ?? [],
      processes: await globs(args.lists.get('process') ?? []),
    };
    if (
      rules.minCount === undefined &&
      rules.coefficients.size === 0 &&
      rules.types.length === 0 &&
      rules.processes.length === 0
    )
      throw new UsageError('give at least one of --min-count, --drop, --type, --process');
    const e = await modelEngine();
    const path = args.positionals[0]!;
    const { model, warnings } = await readModel(path, args);
    warn(io, warnings);
    const r = e.pruneModel(model, rules);
    // The model goes to stdout (or -o); what was dropped goes to stderr.
    const p = new Printer({ out: io.err, err: io.err }, args);
    for (const d of r.dropped)
      p.record(
        { coefficient: d.hex, why: d.why, ...(model.notes?.get(d.hex) ?? {}) },
        `dropped ${d.hex} (${d.why}) ${await noteText(model.notes?.get(d.hex))}`.trimEnd()
      );
    p.summary(
      {
        points: model.states.length,
        dropped: r.dropped.length,
        unjudged: r.unjudged,
        absent: r.absent,
      },
      `pruned ${r.dropped.length} of ${model.states.length} points${r.unjudged ? `; ${r.unjudged} kept without the count or description a rule needs` : ''}${r.absent.length ? `; not in the model: ${r.absent.join(', ')}` : ''}`
    );
    e.writeOutput(
      io,
      e.formatModelFile(r.model, { pure: args.flags.has('pure-quixote') }),
      args.values.get('output')
    );
    return 0;
  },
};

const pseudonym: Command = {
  spec: {
    name: 'model pseudonym',
    summary: 'print pseudonym lines for paths, or add them to a model and map its points again',
    usage: '<path…>',
    positionals: [1, Infinity],
    options: [
      {
        name: 'model',
        kind: 'string',
        arg: 'FILE',
        help: 'add the pseudonyms to this model and map its described points on those paths again',
      },
      DIGEST,
      DIALECT,
      PURE,
      OUT,
    ],
    details: [
      'PSEUDONYM = H(u32le(strlen(path)) || path) (tsem-model.md §2.8): file events on that path hash',
      "with the zero digest. A trained point's coefficient changes with it, so --model maps every",
      'described point on those paths again; undescribed points cannot be checked (said on stderr).',
    ].join('\n'),
  },
  async run(args, io) {
    const e = await modelEngine();
    const paths = args.positionals;
    const modelPath = args.values.get('model');
    if (modelPath === undefined) {
      if (args.flags.has('pure-quixote') || args.values.has('dialect'))
        throw new UsageError('--pure-quixote and --dialect go with --model');
      const alg = await digestNamed(args.values.get('digest') ?? 'sha256');
      const { pseudonym: hash } = await import('../../engine/measure/mapper.js');
      const lines = paths.map(
        (p) => `pseudonym ${hash(alg, Buffer.from(p, 'utf8')).toString('hex')}`
      );
      e.writeOutput(io, `${lines.join('\n')}\n`, args.values.get('output'));
      return 0;
    }
    const { alg, model, dialect, warnings } = await readModel(modelPath, args);
    warn(io, warnings);
    const r = e.addPseudonyms(model, paths, alg, dialect);
    for (const m of r.remapped)
      io.err(`remapped ${m.from} -> ${m.to} (${JSON.stringify(m.pathname)})\n`);
    if (r.unverifiable.length > 0)
      io.err(
        `warning: ${r.unverifiable.length} described point(s) on those paths could not be mapped again (kept): ${r.unverifiable.join(', ')}\n`
      );
    if (r.undescribed > 0)
      io.err(
        `warning: ${r.undescribed} point(s) carry no description: if they are file events on those paths, their events will now be off-contour\n`
      );
    e.writeOutput(
      io,
      e.formatModelFile(r.model, { pure: args.flags.has('pure-quixote') }),
      args.values.get('output')
    );
    return 0;
  },
};

export const commands: Command[] = [prune, pseudonym];
