/**
 * `tsem ns findings|explain|accept`: the policy author's loop on a running engine. What falls off
 * the contour is listed with its event, explained against the nearest trained points, and
 * accepted into the model (docs/policy-authoring.md).
 */
import { intOption, UsageError } from '../args.js';
import { callControl } from '../client.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-status.js';
import { escapeControl, JSON_OPTION, Printer } from '../output.js';
import { modeName, NAME, PAGE, page, remote } from './ns.js';

const OUT = {
  name: 'output',
  short: 'o',
  kind: 'string',
  arg: 'FILE',
  help: '--model: write to FILE instead of stdout',
} as const;

export const commands: Command[] = [
  remote(
    'ns findings',
    'list audit-mode findings and sealed-mode forensics with counts and events (exit 1 if any)',
    NAME,
    [1, 1],
    [
      ...PAGE,
      {
        name: 'model',
        kind: 'flag',
        help: 'write them as a model file (header, descriptions) to review, merge or load',
      },
      OUT,
      JSON_OPTION,
    ],
    async (c, args, io) => {
      const name = args.positionals[0]!;
      const { offset, limit } = page(args);
      const r = await callControl(c, 'ListFindings', { name, offset, limit });
      const { descriptionFromWire, pointJson, pointLine } = await import('../point-format.js');
      if (args.flags.has('model')) {
        if (args.flags.has('json')) throw new UsageError('--model and --json exclude each other');
        const info = await callControl(c, 'GetNamespace', { name });
        const { formatModelFile } = await import('../../engine/contour/model-file.js');
        const { writeOutput } = await import('../io-util.js');
        const text = formatModelFile({
          header: {
            digest: info.digest,
            dialect: info.dialect as 'tsem-6.12' | 'quixote-us',
            origin: `findings and forensics of namespace ${name}`,
          },
          notes: new Map(
            r.findings.map((f) => [
              f.coefficient,
              { count: Number(f.count), description: descriptionFromWire(f.description) },
            ])
          ),
          aggregate: Buffer.from(info.aggregate, 'hex'),
          states: r.findings.map((f) => Buffer.from(f.coefficient, 'hex')),
          pseudonyms: [],
          sealed: false,
        });
        writeOutput(io, text, args.values.get('output'));
      } else {
        if (args.values.has('output')) throw new UsageError('-o FILE goes with --model');
        const p = new Printer(io, args);
        for (const f of r.findings) p.record(pointJson(f), () => pointLine(f));
        p.summary(
          {
            total: Number(r.total),
            findings: Number(r.audit_findings),
            forensic: Number(r.forensic_points),
            offset,
            returned: r.findings.length,
          },
          undefined
        );
        if (!p.json)
          io.err(
            `(${r.audit_findings} finding(s), ${r.forensic_points} forensic point(s)${r.findings.length < Number(r.total) ? `; ${offset + 1}-${offset + r.findings.length} of ${r.total} shown` : ''})\n`
          );
      }
      return Number(r.total) > 0 ? EXIT.found : EXIT.ok;
    },
    [
      'Each line: COEFFICIENT STATUS COUNT TYPE PROCESS SUBJECT (status finding: seen in audit mode;',
      'forensic: seen while sealed). Accept them with `tsem ns accept NS COEF…|--all`; see why one',
      'is off the contour with `tsem ns explain NS COEF`.',
    ].join('\n')
  ),
  remote(
    'ns explain',
    'show the event a coefficient stands for and, off the contour, the nearest trained points',
    `${NAME} <coefficient>`,
    [2, 2],
    [
      {
        name: 'nearest',
        kind: 'string',
        arg: 'N',
        help: 'trained points to show (default 3, at most 32)',
      },
      JSON_OPTION,
    ],
    async (c, args, io) => {
      const nearest = intOption(args.values.get('nearest'), '--nearest', 3, 1);
      const r = await callControl(c, 'Explain', {
        name: args.positionals[0]!,
        coefficient: args.positionals[1]!,
        nearest,
      });
      const { descriptionFromWire, describeShort, pointJson, statusName } =
        await import('../point-format.js');
      const pt = r.point!;
      const p = new Printer(io, args);
      if (p.json) {
        p.record(
          {
            point: pointJson(pt),
            nearest: r.nearest.map((n) => ({
              point: pointJson(n.point!),
              same_type: n.same_type,
              same_process: n.same_process,
              differing: n.differing,
              differences: n.differences.map((d) => ({
                field: d.field,
                value: d.value_present ? d.value : null,
                nearest: d.nearest_present ? d.nearest_value : null,
              })),
            })),
            compared: Number(r.compared),
            undescribed: Number(r.undescribed),
          },
          ''
        );
        return EXIT.ok;
      }
      const d = descriptionFromWire(pt.description);
      const out = (line: string) => io.out(`${escapeControl(line)}\n`);
      out(`${pt.coefficient}  ${statusName(pt.status)}  count ${pt.count}`);
      if (!d) {
        out('  no description: the point came from a model file without one');
        return EXIT.ok;
      }
      out(`  event    ${describeShort(d)}`);
      out(`  task     ${d.task_id ?? '-'} (parent ${d.p_task_id ?? '-'})`);
      out(
        `  coe      ${Object.entries(d.coe)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      );
      out(`  cell     ${JSON.stringify(d.cell)}`);
      if (pt.status === 'POINT_STATUS_VALID') {
        out('  on the contour: a valid point of the model');
        return EXIT.ok;
      }
      if (r.nearest.length === 0) {
        out(
          `  no trained point to compare with (${r.undescribed} valid point(s) carry no description)`
        );
        return EXIT.ok;
      }
      out(
        `nearest trained points (${r.compared} compared${Number(r.undescribed) > 0 ? `, ${r.undescribed} without description` : ''}):`
      );
      r.nearest.forEach((n, i) => {
        const nd = descriptionFromWire(n.point!.description);
        const why = [
          n.same_type ? 'same type' : 'other type',
          n.same_process ? 'same process' : 'other process',
          `${n.differing} field(s) differ`,
        ].join(', ');
        out(`${i + 1}. ${n.point!.coefficient}  count ${n.point!.count}  ${describeShort(nd)}`);
        out(`     ${why}`);
        for (const f of n.differences)
          out(
            `   * ${f.field}: ${f.value_present ? f.value : '(none)'}  (trained: ${f.nearest_present ? f.nearest_value : '(none)'})`
          );
      });
      return EXIT.ok;
    },
    [
      'Nearest means: the same event type first, then the same process, then the fewest differing',
      'COE and CELL fields. Differing fields are marked with *, the trained value in parentheses.',
    ].join('\n')
  ),
  remote(
    'ns accept',
    'accept findings and forensic points into the model (admin)',
    `${NAME} <coefficient…>|--all`,
    [1, Infinity],
    [{ name: 'all', kind: 'flag', help: 'every finding and forensic point' }, JSON_OPTION],
    async (c, args, io) => {
      const [name, ...coefficients] = args.positionals as [string, ...string[]];
      const all = args.flags.has('all');
      if (all === coefficients.length > 0)
        throw new UsageError('give the coefficients to accept, or --all (not both)');
      const r = await callControl(c, 'AcceptPoints', { name, coefficients, all });
      const { statusName } = await import('../point-format.js');
      const p = new Printer(io, args);
      const WHAT: Record<string, string> = {
        finding: 'finding, now a valid point',
        forensic: 'forensic point, now valid in place',
        valid: 'already valid',
      };
      for (const a of r.accepted) {
        const was = statusName(a.was);
        p.record({ coefficient: a.coefficient, was }, `${a.coefficient} ${WHAT[was] ?? was}`);
      }
      const ns = r.namespace!;
      p.summary(
        {
          accepted: r.accepted.filter((a) => a.was !== 'POINT_STATUS_VALID').length,
          mode: modeName(ns.mode),
          points: Number(ns.points),
          forensic_points: Number(ns.forensic_points),
          audit_findings: Number(ns.audit_findings),
          measurement: ns.measurement,
        },
        `namespace ${ns.name}: points ${ns.points} forensic ${ns.forensic_points} findings ${ns.audit_findings} measurement ${ns.measurement}`
      );
      return EXIT.ok;
    },
    [
      'A finding becomes a valid point now (it extends the measurement, as if learned); a forensic',
      'point becomes valid in place. Tasks made untrusted stay untrusted.',
    ].join('\n')
  ),
];
