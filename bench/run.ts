/**
 * `npm run bench [-- --json] [FILTER…]`: every benchmark of the project (or those whose name
 * contains a FILTER), printing figures (never pass/fail). `--json` prints one JSON object per
 * benchmark (per case for fanotify) on stdout and the human lines on stderr. Benchmarks that need
 * root or a missing tool say why they are skipped.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createReport, type Figure } from './report.js';

const BENCHES: [string, string, string, string][] = [
  ['model core', 'model', './model-bench.js', 'runModelBench'],
  ['end to end (gRPC)', 'e2e', './e2e-bench.js', 'runE2eBench'],
  ['in-process namespaces', 'namespaces', './namespaces-bench.js', 'runNamespacesBench'],
  ['namespaces in worker threads', 'workers', './worker-scaling-bench.js', 'runWorkerScalingBench'],
  ['IMA measurement list', 'ima', './ima-bench.js', 'runImaBench'],
  ['fanotify', 'fanotify', './fanotify-bench.js', 'runFanotifyBench'],
  ['canister launcher', 'canister', './canister-bench.js', 'runCanisterBench'],
  ['fleet (NATS JetStream)', 'fleet', './fleet-bench.js', 'runFleetBench'],
  ['landlock', 'landlock', './landlock-bench.js', 'runLandlockBench'],
];

const USAGE = `usage: npm run bench [-- [--json] [FILTER…]]
  FILTER    run only the benchmarks whose name or key contains it (${BENCHES.map((b) => b[1]).join(', ')})
  --json    one JSON object per benchmark (per case for fanotify) on stdout, human lines on stderr`;

const args = process.argv.slice(2);
const json = args.includes('--json');
// Internal: run one benchmark in this process (the parent runs each in a process of its own, so
// one benchmark's memory never shows in another's RSS figures).
const childAt = args.indexOf('--child');
if (childAt >= 0) {
  // Benchmarks that print with console.log keep stdout for the JSON objects.
  if (json) console.log = console.error.bind(console);
  await runOne(BENCHES.find((b) => b[1] === args[childAt + 1])!);
  process.exit();
}
const unknown = args.filter((a) => a.startsWith('-') && a !== '--json');
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
if (unknown.length > 0) {
  console.error(`bench: unknown option ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const only = args.filter((a) => !a.startsWith('-'));
const selected = BENCHES.filter(
  ([name, key]) => only.length === 0 || only.some((o) => name.includes(o) || key.includes(o))
);
if (selected.length === 0) {
  console.error(`bench: no benchmark matches ${only.join(', ')}\n${USAGE}`);
  process.exit(2);
}
for (const [, key] of selected) {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), '--child', key, ...(json ? ['--json'] : [])],
    { stdio: 'inherit' }
  );
  if (child.status !== 0) process.exitCode = 1;
}

async function runOne([name, key, path, fn]: (typeof BENCHES)[number]): Promise<void> {
  const report = createReport(key, json);
  report.say(`\n== ${name} ==`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path)) as Record<string, unknown>;
  } catch (err) {
    const why = `not built (${(err as Error).message.split('\n')[0]})`;
    report.say(`  skipped: ${why}`);
    report.figures({ skipped: why });
    return;
  }
  try {
    // A benchmark reports through `report`, or returns its figures (one object).
    const figures = await (mod[fn] as (r: typeof report) => Promise<unknown>)(report);
    if (figures && typeof figures === 'object') report.figures(figures as Record<string, Figure>);
  } catch (err) {
    report.say(`  failed: ${(err as Error).stack ?? String(err)}`);
    report.figures({ failed: (err as Error).message });
    process.exitCode = 1;
  }
}
