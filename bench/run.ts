/**
 * `npm run bench`: every benchmark of the project, printing figures (never pass/fail).
 * Benchmarks that need root or a missing tool print why they are skipped. `--json` prints one
 * object per benchmark with the figures it returns (null for those that only print).
 */
const BENCHES: [string, string, string][] = [
  ['model core', './model-bench.js', 'runModelBench'],
  ['end to end (gRPC)', './e2e-bench.js', 'runE2eBench'],
  ['IMA measurement list', './ima-bench.js', 'runImaBench'],
  ['fanotify', './fanotify-bench.js', 'runFanotifyBench'],
  ['canister launcher', './canister-bench.js', 'runCanisterBench'],
  ['fleet (NATS JetStream)', './fleet-bench.js', 'runFleetBench'],
];

// --json: one JSON object per benchmark on stdout ({bench, figures}); the human lines go to stderr.
const json = process.argv.includes('--json');
const only = process.argv.slice(2).filter((a) => a !== '--json');
const say = console.log.bind(console);
if (json) console.log = console.error.bind(console);
for (const [name, path, fn] of BENCHES) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  console.log(`\n== ${name} ==`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path)) as Record<string, unknown>;
  } catch (err) {
    console.log(`  skipped: not built (${(err as Error).message.split('\n')[0]})`);
    continue;
  }
  try {
    const figures = await (mod[fn] as () => Promise<unknown>)();
    if (json) say(JSON.stringify({ bench: name, figures: figures ?? null }));
  } catch (err) {
    console.log(`  failed: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  }
}
