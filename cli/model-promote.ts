/**
 * `tsem model merge --label L --namespace NS… --nats URL`: promotion in a fleet (docs/fleet.md §5),
 * the fleet form of `tsem model merge` (which otherwise merges model files).
 * The pool namespaces' models (and the label's current one) merged into the label's model in the
 * fleet's labels bucket, by a compare-and-set: of two promoters exactly one writes. Provenance
 * (which namespaces hold each point) is stored with the model; conflicts are reported.
 */
import { type OptionSpec, type ParsedArgs, UsageError } from './args.js';
import type { Io } from './command.js';
import { checkLabelName } from '../engine/canister/canisters.js';
import { EXIT } from './exit-status.js';
import { NATS_OPTIONS, natsOptions } from './nats-options.js';
import { escapeControl } from './output.js';

/** The options of the fleet form (with NATS_OPTIONS and --json, which the file form shares). */
export const PROMOTE_OPTIONS: readonly OptionSpec[] = [
  { name: 'label', kind: 'string', arg: 'L', help: 'fleet: the label whose model is written' },
  {
    name: 'namespace',
    kind: 'list',
    arg: 'NS',
    help: "fleet: a namespace to merge (repeatable): NS, a pool namespace (its fleet snapshot), or HOST/NS, one a host's own engine published (serve --nats --no-pool)",
  },
  {
    name: 'replace',
    kind: 'flag',
    help: "fleet: leave the label's current model out (default: its points are kept)",
  },
  { name: 'dry-run', kind: 'flag', help: 'fleet: merge and report, write nothing' },
  ...NATS_OPTIONS,
];

export const PROMOTE_DETAILS = [
  "With --label L --namespace NS… --nats URL it promotes in a fleet (docs/fleet.md §5): reads each namespace's snapshot (or a host's published model) and the label's model from the fleet (an engine credential: it writes the labels bucket), unions the valid points in order, and writes the label's model only if nobody changed it meanwhile. Namespaces and canisters started from the label afterwards, on any engine, load the merged model; each keeps its own task trust.",
  'Conflicts are reported, not decided silently: a different hash or dialect refuses the merge (65); a different mode, sealed state, base, aggregate or pseudonyms, or a point that is forensics in one namespace and valid in another, is reported and resolved as docs/fleet.md says (exit 1).',
  'Exit status (fleet): 0 merged without conflicts; 1 merged (or, with --dry-run, would be) with conflicts; 65 not mergeable or a namespace without a snapshot; 69 NATS unreachable or another promotion won the race (nothing written: run again); 77 credential refused.',
].join('\n');

/** Whether the command line asks for the fleet form. */
export const isPromotion = (args: ParsedArgs): boolean =>
  PROMOTE_OPTIONS.some(
    (o) => args.values.has(o.name) || args.flags.has(o.name) || args.lists.has(o.name)
  );

export async function promoteToLabel(args: ParsedArgs, io: Io): Promise<number> {
  const nats = natsOptions(args);
  if (!nats) throw new UsageError('--nats URL is required: labelled models live in the fleet');
  if (args.positionals.length > 0)
    throw new UsageError(
      'model files and --label exclude each other: files merge offline, --label in the fleet'
    );
  const label = args.values.get('label');
  if (label === undefined) throw new UsageError('--label L is required');
  try {
    checkLabelName(label);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const namespaces = args.lists.get('namespace') ?? [];
  if (namespaces.length === 0) throw new UsageError('give at least one --namespace NS');
  if (new Set(namespaces).size !== namespaces.length)
    throw new UsageError('a namespace is given twice');
  const { connectNats } = await import('../fleet/nats/connect.js');
  const { ensureFleet } = await import('../fleet/nats/setup.js');
  const { promote } = await import('../fleet/labels/promote.js');
  const nc = await connectNats({ name: 'tsem-model-merge', ...nats });
  try {
    const r = await promote(await ensureFleet(nc), {
      label,
      namespaces,
      replace: args.flags.has('replace'),
      dryRun: args.flags.has('dry-run'),
      now: Date.now(),
    });
    const m = r.merged;
    if (args.flags.has('json')) {
      m.sources.forEach((s, i) =>
        io.out(
          `${JSON.stringify({ source: s, points: m.counts[i]!.points, only: m.counts[i]!.only })}\n`
        )
      );
      for (const c of m.conflicts)
        io.out(`${JSON.stringify({ conflict: c.kind, detail: c.detail })}\n`);
      io.out(
        `${JSON.stringify({ summary: { label, points: r.label.points, sources: m.sources.length, conflicts: m.conflicts.length, sealed: m.model.sealed, revision: r.revision ?? null, written: r.revision !== undefined } })}\n`
      );
    } else {
      const width = Math.max(...m.sources.map((s) => s.length));
      m.sources.forEach((s, i) =>
        io.out(
          `  ${escapeControl(s.padEnd(width))}  ${m.counts[i]!.points} points, ${m.counts[i]!.only} only there\n`
        )
      );
      for (const c of m.conflicts) io.out(`conflict ${c.kind}: ${escapeControl(c.detail)}\n`);
      io.out(
        `label ${escapeControl(label)}: ${r.label.points} points from ${m.sources.length} source(s)${m.model.sealed ? ', sealed' : ''}, ${m.conflicts.length} conflict(s); ${r.revision === undefined ? 'not written (--dry-run)' : `written (revision ${r.revision})`}\n`
      );
    }
    return m.conflicts.length > 0 ? EXIT.found : EXIT.ok;
  } finally {
    await nc.close();
  }
}
