/**
 * `npm run bench`: every benchmark of the project, printing figures (never pass/fail).
 * Benchmarks that need root or a missing tool print why they are skipped.
 */
const BENCHES: [string, string, string][] = [
  ['model core', './model-bench.js', 'runModelBench'],
  ['end to end (gRPC)', './e2e-bench.js', 'runE2eBench'],
  ['IMA measurement list', './ima-bench.js', 'runImaBench'],
  ['fanotify', './fanotify-bench.js', 'runFanotifyBench'],
  ['canister launcher', './canister-bench.js', 'runCanisterBench'],
];

const only = process.argv.slice(2);
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
    await (mod[fn] as () => Promise<void>)();
  } catch (err) {
    console.log(`  failed: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  }
}
