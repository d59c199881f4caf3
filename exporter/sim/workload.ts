/**
 * What a scenario is made of: a workload that sets up its daemons once, then runs iterations of
 * bursts (a request, a cron run, a shell command). An iteration covers the workload's whole
 * behaviour space, so a model trained on one iteration accepts any later run of the same workload;
 * runs differ only in pids, timing, order and repeat counts, which the model does not see.
 */
import type { Prng } from './prng.js';
import type { World } from './world.js';

/** One burst of events; it emits into the world when called. */
export type Burst = () => void;

export interface Workload {
  setup(): void;
  /** The bursts of iteration `i` (0-based), in order. */
  iteration(i: number): Burst[];
}

/** A benign workload kind; `S` is its state, which attacks on it may use. */
export interface WorkloadKind<S extends Workload> {
  readonly name: string;
  readonly description: string;
  create(w: World): S;
}

/** An attack injected into a benign workload at a seeded point. */
export interface AttackKind<S extends Workload> {
  readonly name: string;
  readonly description: string;
  readonly base: WorkloadKind<S>;
  /** Emits the attack's events (marked with World.inject) at the injection point. */
  inject(state: S, w: World, rng: Prng): void;
}

/** Every burst kind once (so an iteration covers them all), plus up to `extra` random repeats, shuffled. */
export function coverAndRepeat(rng: Prng, kinds: readonly Burst[], extra: number): Burst[] {
  const repeats = Array.from({ length: rng.int(0, extra) }, () => rng.pick(kinds));
  return rng.shuffle([...kinds, ...repeats]);
}
