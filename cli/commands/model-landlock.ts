/**
 * `tsem model landlock MODEL`: the Landlock ruleset `tsem run --landlock` would apply for a model
 * (docs/landlock.md): what is allowed beneath which path and on which TCP port, and why (the points
 * behind each rule), what Landlock cannot express, what is left open, and what an older kernel
 * drops.
 */
import type { Command } from '../command.js';
import { chooseAbi, fitModel } from '../landlock/model-ruleset.js';
import { readModel } from '../model-io.js';
import { JSON_OPTION, Printer } from '../output.js';
import { escapeText } from '../../common/escape.js';
import { UsageError } from '../args.js';
import { DIALECT, DIGEST } from '../model-io.js';
import { KNOWN_ABI } from '../../engine/landlock/rights.js';
import type { Reason } from '../../engine/landlock/compile.js';

/** Coefficients shortened for people (the JSON form has them whole). */
const short = (hex: string) => hex.slice(0, 12);

function whyLine(reasons: readonly Reason[], max = 3): string {
  const shown = reasons.slice(0, max).map((r) => `${r.type} ${short(r.point)} (${r.saw})`);
  const more = reasons.length > max ? `, and ${reasons.length - max} more` : '';
  return `${shown.join(', ')}${more}`;
}

const landlock: Command = {
  spec: {
    name: 'model landlock',
    summary: 'the Landlock ruleset tsem run --landlock applies for a model, and why each rule',
    usage: '<model-file>',
    positionals: [1, 1],
    options: [
      DIGEST,
      DIALECT,
      {
        name: 'abi',
        kind: 'string',
        arg: 'N',
        help: `fit to Landlock ABI version N (default: this kernel's; ${KNOWN_ABI} is the highest known)`,
      },
      JSON_OPTION,
    ],
    details: [
      'Compiled from the point descriptions of the model (its "# tsem: point" lines); a model',
      'without them cannot be compiled (exit 65). Execute is allowed on the exact files executed,',
      'read and write on the files opened so, TCP bind and connect on the ports seen; signals and',
      'abstract unix sockets are scoped to the workload when the model saw none. Train with the',
      'audit source: it reports execs with their interpreters, opens with their access mode, and',
      'TCP connects and binds (docs/landlock.md §3).',
    ].join('\n'),
  },
  async run(args, io) {
    const abiText = args.values.get('abi');
    let given: number | undefined;
    if (abiText !== undefined) {
      if (!/^[1-9]$/.test(abiText) || Number(abiText) > KNOWN_ABI)
        throw new UsageError(
          `--abi expects a Landlock ABI version (1..${KNOWN_ABI}), got '${abiText}'`
        );
      given = Number(abiText);
    }
    const path = args.positionals[0]!;
    const { model } = await readModel(path, args);
    const choice = chooseAbi(given);
    const f = fitModel(model, path, choice.abi);
    const r = f.ruleset;
    const p = new Printer(io, args);
    p.text(
      `Landlock ruleset for ${path}: ${r.points} points, fitted to ABI ${f.abi} (${choice.kernel})`
    );
    p.text(
      `handled  fs: ${r.handledFs.join(' ') || '-'}  net: ${r.handledNet.join(' ') || '-'}  scoped: ${r.scoped.join(' ') || '-'}`
    );
    const width = Math.max(8, ...r.paths.map((x) => x.access.join(',').length));
    for (const x of r.paths) {
      p.record(
        {
          rule: 'path',
          path: x.path,
          access: x.access,
          ...(x.widened ? { widened: x.widened } : {}),
          points: x.reasons.map((q) => ({ coefficient: q.point, type: q.type, saw: q.saw })),
        },
        `allow ${x.access.join(',').padEnd(width)}  ${x.path}`
      );
      if (x.widened) p.text(escapeText(`      ${''.padEnd(width)}  (${x.widened})`));
      if (x.reasons.length > 0) p.text(escapeText(`      why: ${whyLine(x.reasons)}`));
    }
    for (const x of r.ports) {
      p.record(
        {
          rule: 'port',
          port: x.port,
          access: x.access,
          points: x.reasons.map((q) => ({ coefficient: q.point, type: q.type, saw: q.saw })),
        },
        `allow ${x.access.join(',').padEnd(width)}  port ${x.port}`
      );
      p.text(escapeText(`      why: ${whyLine(x.reasons)}`));
    }
    for (const u of r.unexpressed)
      p.record(
        { unexpressed: u.type, why: u.why, points: u.points },
        `not expressed  ${u.type} (${u.points.length} point${u.points.length === 1 ? '' : 's'}): ${u.why}; the model still judges them`
      );
    for (const d of r.decisions)
      p.record({ decision: d.what, why: d.why }, `note  ${d.what}: ${d.why}`);
    for (const d of f.dropped) p.record({ dropped: d }, `dropped for ABI ${f.abi}  ${d}`);
    p.summary({
      abi: f.abi,
      kernel_abi: choice.kernelAbi ?? null,
      handled: { fs: r.handledFs, net: r.handledNet, scoped: r.scoped },
      restrict_flags: f.restrictFlags,
      paths: r.paths.length,
      ports: r.ports.length,
      unexpressed: r.unexpressed.reduce((n, u) => n + u.points.length, 0),
      dropped: f.dropped.length,
      points: r.points,
    });
    return 0;
  },
};

export const commands: Command[] = [landlock];
