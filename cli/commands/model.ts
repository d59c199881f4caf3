/** `tsem model build|show|diff|merge` and `tsem replay`: offline work on trajectories and models. */
import { intOption, type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import type { Command, Io } from '../command.js';
import { escapeText } from '../../common/escape.js';

const DIGEST: OptionSpec = {
  name: 'digest',
  kind: 'string',
  arg: 'NAME',
  help: 'namespace hash: sha256 (default), sha384, sha512, sha3-256, ...',
};
const OUT: OptionSpec = {
  name: 'output',
  short: 'o',
  kind: 'string',
  arg: 'FILE',
  help: 'write to FILE instead of stdout',
};
const STRICT: OptionSpec = {
  name: 'strict',
  kind: 'flag',
  help: 'stop at the first line that cannot be parsed (exit 65) instead of reporting it and going on',
};

/** Exit status for bad input data (conventions: a malformed file the command was asked to read). */
const EXIT_DATA = 65;

/** Replay options for a command: lines that cannot be parsed are reported on stderr, escaped. */
function lineHandling(
  command: string,
  args: ParsedArgs,
  io: Io
): { strict: boolean; onReject: (err: Error) => void } {
  return {
    strict: args.flags.has('strict'),
    onReject: (err) => io.err(`tsem ${command}: ${escapeText(err.message)} (line skipped)\n`),
  };
}

/** Runs `body`; under --strict the first unparsable line ends the command with exit 65. */
async function strictly(command: string, io: Io, body: () => Promise<number>): Promise<number> {
  const { ParseError } = await import('../../common/errors.js');
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    io.err(`tsem ${command}: ${escapeText(err.message)}\n`);
    return EXIT_DATA;
  }
}

const DIALECT: OptionSpec = {
  name: 'dialect',
  kind: 'string',
  arg: 'NAME',
  choices: ['tsem-6.12', 'quixote-us'],
  help: 'coefficient dialect (default tsem-6.12)',
};

async function engine() {
  const [model, ops, digest, ns, replay, io, mapper] = await Promise.all([
    import('../../engine/contour/model-file.js'),
    import('../../engine/contour/model-ops.js'),
    import('../../engine/measure/digest.js'),
    import('../../engine/ns/namespace-model.js'),
    import('../../engine/ns/replay.js'),
    import('../io-util.js'),
    import('../../engine/measure/mapper.js'),
  ]);
  return { ...model, ...ops, ...digest, ...ns, ...replay, ...io, ...mapper };
}

async function loadModel(path: string, digestName: string | undefined) {
  const e = await engine();
  const alg = e.createDigest(digestName ?? 'sha256');
  return {
    alg,
    model: e.parseModelFile(e.readInput(path, 'model file').toString('utf8'), alg, path),
  };
}

const build: Command = {
  spec: {
    name: 'model build',
    summary: 'map a TSEM JSON trajectory (or export stream) into a model file',
    usage: '<trajectory-file>',
    positionals: [1, 1],
    options: [
      DIGEST,
      {
        name: 'aggregate',
        kind: 'string',
        arg: 'HEX',
        help: "hardware aggregate (default: the stream's aggregate record, else zero)",
      },
      DIALECT,
      STRICT,
      OUT,
    ],
    details:
      'Writes an aggregate line, one state line per unique coefficient in first-seen order, and end.\n' +
      'A line that cannot be parsed is reported with its line number and skipped; the model is still written and the exit status is 1 (65 and no model with --strict).',
  },
  run: (args, io) => strictly('model build', io, () => buildModel(args, io)),
};

async function buildModel(args: ParsedArgs, io: Io): Promise<number> {
  const e = await engine();
  const alg = e.createDigest(args.values.get('digest') ?? 'sha256');
  const aggHex = args.values.get('aggregate');
  const aggregate = aggHex === undefined ? undefined : e.parseDigestHex(aggHex, alg, '--aggregate');
  const dialect = args.values.get('dialect') as 'tsem-6.12' | 'quixote-us' | undefined;
  const ns = new e.NamespaceModel(
    e.createNamespaceConfig({ id: 'build', digest: alg.name, aggregate, dialect })
  );
  const file = args.positionals[0]!;
  const counts = e.replayLines(ns, e.splitLines(e.readInput(file, 'trajectory file')), {
    source: file,
    acceptAggregate: aggregate === undefined,
    ...lineHandling('model build', args, io),
  });
  const m = ns.exportModel();
  e.writeOutput(io, e.formatModelFile({ ...m, sealed: false }), args.values.get('output'));
  if (counts.rejected === 0) return 0;
  io.err(`tsem model build: ${counts.rejected} line(s) of ${file} could not be parsed\n`);
  return 1;
}

const show: Command = {
  spec: {
    name: 'model show',
    summary: 'print aggregate, measurement, state and point counts of a model as loaded',
    usage: '<model-file>',
    positionals: [1, 1],
    options: [DIGEST],
    details:
      'The measurement extends the aggregate first, then the states in file order (tsem-model.md §2.6).',
  },
  async run(args, io) {
    const e = await engine();
    const { alg, model } = await loadModel(args.positionals[0]!, args.values.get('digest'));
    const s = e.summarizeModel(model, alg);
    io.out(
      [
        `digest ${alg.name}`,
        `aggregate ${s.aggregate.toString('hex')}`,
        `measurement ${s.measurement.toString('hex')}`,
        `state ${s.state.toString('hex')}`,
        `points ${s.points}`,
        `pseudonyms ${s.pseudonyms}`,
        `sealed ${s.sealed ? 'yes' : 'no'}`,
      ].join('\n') + '\n'
    );
    return 0;
  },
};

const diff: Command = {
  spec: {
    name: 'model diff',
    summary: 'compare the points of two models (exit 1 when they differ)',
    usage: '<model-a> <model-b>',
    positionals: [2, 2],
    options: [DIGEST],
  },
  async run(args, io) {
    const e = await engine();
    const a = await loadModel(args.positionals[0]!, args.values.get('digest'));
    const b = await loadModel(args.positionals[1]!, args.values.get('digest'));
    const d = e.diffModels(a.model, b.model);
    const lines = [
      ...d.onlyA.map((p) => `- ${p.toString('hex')}`),
      ...d.onlyB.map((p) => `+ ${p.toString('hex')}`),
    ];
    if (d.aggregateDiffers) lines.push('aggregate differs');
    if (d.baseDiffers) lines.push('base differs');
    lines.push(`common ${d.common} only-a ${d.onlyA.length} only-b ${d.onlyB.length}`);
    io.out(lines.join('\n') + '\n');
    return d.onlyA.length || d.onlyB.length || d.aggregateDiffers || d.baseDiffers ? 1 : 0;
  },
};

const merge: Command = {
  spec: {
    name: 'model merge',
    summary: 'write the union of the points of two models',
    usage: '<model-a> <model-b>',
    positionals: [2, 2],
    options: [DIGEST, OUT],
  },
  async run(args, io) {
    const e = await engine();
    const a = await loadModel(args.positionals[0]!, args.values.get('digest'));
    const b = await loadModel(args.positionals[1]!, args.values.get('digest'));
    e.writeOutput(
      io,
      e.formatModelFile(e.mergeModels(a.model, b.model)),
      args.values.get('output')
    );
    return 0;
  },
};

const replay: Command = {
  spec: {
    name: 'replay',
    summary: 'run a trajectory against a model and report off-contour events',
    usage: '<trajectory-file>',
    positionals: [1, 1],
    options: [
      { name: 'model', kind: 'string', arg: 'FILE', help: 'model file to load (required)' },
      {
        name: 'mode',
        kind: 'string',
        arg: 'MODE',
        choices: ['audit', 'sealed', 'enforce'],
        help: 'namespace mode after loading (default sealed)',
      },
      DIGEST,
      DIALECT,
      STRICT,
      {
        name: 'model-key',
        kind: 'list',
        arg: 'FILE',
        help: 'require a model signed by this key (Ed25519 public key with MODEL.sig, or RSA key of a Quixote-signed model; repeatable)',
      },
      {
        name: 'signature',
        kind: 'string',
        arg: 'FILE',
        help: 'detached Ed25519 signature of the model (default MODEL.sig when it exists)',
      },
      {
        name: 'limit',
        kind: 'string',
        arg: 'N',
        help: 'print at most N off-contour events (default all)',
      },
    ],
    details:
      'Prints each off-contour (or, in audit mode, would-be-off-contour) event as a JSON line, then a summary line.\n' +
      'A line that cannot be parsed is reported with its line number and treated as a live engine treats it (evidence when sealed, denied in enforce); --strict stops at it (exit 65).',
  },
  run: (args, io) => strictly('replay', io, () => replayFile(args, io)),
};

/** A model whose signature is bad is refused; with --model-key, only a model signed by one is read. */
async function checkSignedModel(modelPath: string, args: ParsedArgs): Promise<void> {
  const [sig, keys, io, fs, { EngineError }] = await Promise.all([
    import('../../engine/attest/model-signature.js'),
    import('../../engine/attest/keys.js'),
    import('../io-util.js'),
    import('node:fs'),
    import('../../common/errors.js'),
  ]);
  const keyFiles = args.lists.get('model-key') ?? [];
  const pinned = sig.mergeModelKeys(
    keyFiles.map((f) => sig.parseModelKey(io.readInput(f, 'model key').toString('utf8'), f))
  );
  const sigPath = args.values.get('signature') ?? `${modelPath}.sig`;
  const detached =
    args.values.has('signature') || fs.existsSync(sigPath)
      ? keys.parseSignature(io.readInput(sigPath, 'signature').toString('utf8'), sigPath)
      : undefined;
  const check = sig.checkModelSignature(io.readInput(modelPath, 'model file'), detached, pinned);
  if (check.status === 'bad')
    throw new EngineError(
      'TSEM_MODEL_FILE',
      `${modelPath}: refused: bad signature: ${check.reason}`
    );
  if (keyFiles.length > 0 && check.status !== 'verified')
    throw new EngineError(
      'TSEM_MODEL_FILE',
      `${modelPath}: refused: --model-key requires a model signed by it: ${check.status === 'unsigned' ? 'the model has no signature' : check.reason}`
    );
}

async function replayFile(args: ParsedArgs, io: Io): Promise<number> {
  const modelPath = args.values.get('model');
  if (!modelPath) throw new UsageError('--model FILE is required');
  const limit = intOption(args.values.get('limit'), '--limit', Number.MAX_SAFE_INTEGER);
  const e = await engine();
  await checkSignedModel(modelPath, args);
  const { alg, model } = await loadModel(modelPath, args.values.get('digest'));
  const mode = (args.values.get('mode') ?? 'sealed') as 'audit' | 'sealed' | 'enforce';
  const dialect = args.values.get('dialect') as 'tsem-6.12' | 'quixote-us' | undefined;
  const ns = new e.NamespaceModel(
    e.createNamespaceConfig({
      id: 'replay',
      digest: alg.name,
      aggregate: model.aggregate,
      base: model.base,
      dialect,
    })
  );
  ns.loadModel({ ...model, sealed: false });
  ns.setMode(mode);
  const file = args.positionals[0]!;
  let printed = 0;
  const counts = e.replayLines(ns, e.splitLines(e.readInput(file, 'trajectory file')), {
    source: file,
    ...lineHandling('replay', args, io),
    onVerdict(v, ev, lineNumber) {
      if (
        v.kind !== 'off-contour' &&
        v.kind !== 'would-be-off-contour' &&
        v.kind !== 'untrusted-task'
      )
        return;
      if (printed++ >= limit) return;
      io.out(
        JSON.stringify({
          line: lineNumber,
          verdict: v.kind,
          action: v.action,
          type: ev.header.type,
          process: ev.header.process,
          coefficient: v.coefficient?.toString('hex') ?? null,
          task_id: v.taskId.toString('hex'),
        }) + '\n'
      );
    },
  });
  const k = counts.byKind;
  const offContour = (k['off-contour'] ?? 0) + (k['would-be-off-contour'] ?? 0);
  io.out(
    `summary events ${counts.events} on-contour ${k['on-contour'] ?? 0} off-contour ${offContour} ` +
      `untrusted-task ${k['untrusted-task'] ?? 0} denied ${counts.denied} forensics ${ns.forensics().length} ` +
      `mode ${mode} measurement ${ns.measurement.toString('hex')} rejected ${counts.rejected}\n`
  );
  return 0;
}

export const commands: Command[] = [build, show, diff, merge, replay];
