/**
 * Run counts for property and fuzz tests: TSEM_FUZZ_RUNS when set, else small in CI (CI=true) and
 * larger by hand. `weight` scales a test's count relative to the others (a cheap parser runs more).
 */
export function fuzzRuns(byHand: number, env: NodeJS.ProcessEnv = process.env): number {
  const set = env['TSEM_FUZZ_RUNS'];
  if (set !== undefined && /^\d+$/.test(set)) return Math.max(1, Number(set));
  return env['CI'] === 'true' ? Math.max(50, Math.round(byHand / 10)) : byHand;
}
