/** `tsem replay`: a trajectory against a model, offline; a CI gate (exit 1 on off-contour events). */
import { intOption, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { parseMode } from '../../engine/contour/mode.js';
import { EXIT } from '../exit-status.js';
import {
  checkSignedModel,
  DIALECT,
  DIGEST,
  lineHandling,
  MODEL_KEY,
  readModel,
  SIGNATURE,
  STRICT,
  strictly,
} from '../model-io.js';
import type { ParsedArgs } from '../args.js';
import type { Io } from '../command.js';
import { JSON_OPTION, Printer } from '../output.js';
import { warn } from './model.js';

const OFF_KINDS: ReadonlySet<string> = new Set([
  'off-contour',
  'would-be-off-contour',
  'untrusted-task',
]);

/** More than this share of the tasks untrusted points at a model made for other coefficients. */
const MISMATCH_SHARE = 0.5;

const replay: Command = {
  spec: {
    name: 'replay',
    summary: 'run a trajectory against a model and report off-contour events (exit 1 if any)',
    usage: '<trajectory-file>',
    positionals: [1, 1],
    options: [
      { name: 'model', kind: 'string', arg: 'FILE', help: 'model file to load (required)' },
      {
        name: 'mode',
        kind: 'string',
        arg: 'MODE',
        help: 'namespace mode after loading: audit|sealed|enforce (default sealed; seal = sealed)',
      },
      DIGEST,
      DIALECT,
      STRICT,
      MODEL_KEY,
      SIGNATURE,
      {
        name: 'limit',
        kind: 'string',
        arg: 'N',
        help: 'print at most N off-contour events (default all)',
      },
      JSON_OPTION,
    ],
    details: [
      'Prints each off-contour (audit mode: would-be-off-contour) event and each event of an untrusted',
      'task, then a summary; with --json only JSON lines: one object per event, then {"summary": …}.',
      "Digest and dialect come from the model's # tsem: header unless given (a header naming others",
      'is an error). Exit status: 0 when every event is on the model, 1 when any is not (a CI gate),',
      '65 for a malformed trajectory or model, 74 when a file cannot be read.',
      'A line that cannot be parsed is reported with its line number and treated as a live engine',
      'treats it (evidence when sealed, denied in enforce; it counts as found); --strict stops at',
      'it (exit 65). A model whose signature is bad is refused; --model-key requires one it signed.',
    ].join('\n'),
  },
  run: (args, io) => strictly('replay', io, () => replayFile(args, io)),
};

async function replayFile(args: ParsedArgs, io: Io): Promise<number> {
  {
    const modelPath = args.values.get('model');
    if (!modelPath) throw new UsageError('--model FILE is required');
    const limit = intOption(args.values.get('limit'), '--limit', Number.MAX_SAFE_INTEGER);
    const modeWord = args.values.get('mode') ?? 'sealed';
    const mode = parseMode(modeWord);
    if (!mode || mode === 'learn')
      throw new UsageError(`--mode expects one of audit|sealed|enforce, got '${modeWord}'`);
    const [{ NamespaceModel, createNamespaceConfig }, { replayLines, splitLines }, { readInput }] =
      await Promise.all([
        import('../../engine/ns/namespace-model.js'),
        import('../../engine/ns/replay.js'),
        import('../io-util.js'),
      ]);
    await checkSignedModel(modelPath, args);
    const { alg, model, dialect, warnings } = await readModel(modelPath, args, 'this replay');
    const ns = new NamespaceModel(
      createNamespaceConfig({
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
    const p = new Printer(io, args);
    let printed = 0;
    const counts = replayLines(ns, splitLines(readInput(file, 'trajectory file')), {
      source: file,
      ...lineHandling('replay', args, io),
      onVerdict(v, ev, lineNumber) {
        if (!OFF_KINDS.has(v.kind)) return;
        if (printed++ >= limit) return;
        const coefficient = v.coefficient?.toString('hex') ?? null;
        p.record(
          {
            line: lineNumber,
            verdict: v.kind,
            action: v.action,
            type: ev.header.type,
            process: ev.header.process,
            coefficient,
            task_id: v.taskId.toString('hex'),
          },
          () =>
            `line ${lineNumber} ${v.kind} ${v.action} ${ev.header.type} ${ev.header.process} ${coefficient ?? '-'}`
        );
      },
    });
    const k = counts.byKind;
    const tasks = [...ns.taskEntries()].length;
    const untrusted = ns.untrustedTaskCount();
    const hints = [...warnings];
    if (tasks > 1 && untrusted > tasks * MISMATCH_SHARE)
      hints.push(
        `${untrusted} of ${tasks} tasks turned untrusted: a dialect or digest mismatch between the model and this replay (${alg.name}, ${dialect}) is the likely cause; give --dialect/--digest, or use a model with a # tsem: header`
      );
    const summary = {
      events: counts.events,
      'on-contour': k['on-contour'] ?? 0,
      'off-contour': (k['off-contour'] ?? 0) + (k['would-be-off-contour'] ?? 0),
      'untrusted-task': k['untrusted-task'] ?? 0,
      denied: counts.denied,
      forensics: ns.forensics().length,
      mode,
      rejected: counts.rejected,
      'untrusted-tasks': untrusted,
      tasks,
      digest: alg.name,
      dialect,
      measurement: ns.measurement.toString('hex'),
      ...(hints.length > 0 ? { warnings: hints } : {}),
    };
    if (!p.json) warn(io, hints);
    const { warnings: _w, ...human } = summary;
    p.summary(
      summary,
      `summary ${Object.entries(human)
        .map(([key, v]) => `${key} ${String(v)}`)
        .join(' ')}`
    );
    const found = summary['off-contour'] + summary['untrusted-task'] + summary.rejected;
    return found > 0 ? EXIT.found : EXIT.ok;
  }
}

export const commands: Command[] = [replay];
