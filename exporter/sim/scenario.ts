/**
 * The scenario registry and its driver: `createScenario(name, options)` gives a deterministic
 * stream of TSEM events in the kernel JSON form, with a side list of the events an attack injected.
 *
 * Training property: a model learned from one run of a benign workload (one iteration is the
 * documented minimum) accepts every other run of it, whatever the seed or iteration count; an
 * attack run differs from its benign base exactly by the injected events.
 */
import type { TsemEventJson } from '../../proto/kernel-json.js';
import { ATTACKS } from './attacks.js';
import { checkSeed, Prng } from './prng.js';
import { createSimDigest } from './sim-digest.js';
import type { AttackKind, Workload, WorkloadKind } from './workload.js';
import { CRON_BACKUP } from './workloads/cron-backup.js';
import { NGINX } from './workloads/nginx.js';
import { SHELL } from './workloads/shell.js';
import { type AttackRole, type Emitted, World } from './world.js';

export type { AttackRole } from './world.js';

/** Iterations a training run needs to cover a benign workload's behaviour space. */
export const MIN_TRAINING_ITERATIONS = 1;

export interface ScenarioOptions {
  /** uint32 seed of every random choice. */
  readonly seed: number;
  /** Iterations of the workload (≥ 1); setup runs once before them. */
  readonly iterations: number;
  /** Namespace digest (tsem-model.md §2.9), `sha256` by default. */
  readonly digest?: string;
  /** Namespace id (decimal) emitted as the `context` header field with a `number` sequence; left out when absent. */
  readonly namespace?: number | string;
}

export interface ScenarioInfo {
  readonly name: string;
  readonly description: string;
  readonly kind: 'benign' | 'attack';
  /** The benign workload an attack is injected into (itself for a benign scenario). */
  readonly base: string;
}

export interface SimEntry {
  /** 0-based position in the event stream. */
  readonly index: number;
  readonly event: TsemEventJson;
  readonly role?: AttackRole;
}

export interface InjectedEvent {
  readonly index: number;
  readonly type: string;
  readonly role: AttackRole;
}

export interface Scenario {
  readonly name: string;
  readonly describe: string;
  readonly digest: string;
  /** A fresh pass over the events: every call yields the same sequence. */
  events(): Iterable<TsemEventJson>;
  entries(): Iterable<SimEntry>;
  /** Indices of the malicious injected events: the ones a sealed model must not accept. */
  readonly attackIndices: ReadonlySet<number>;
  /** Every event the attack injected, carriers included, in stream order. */
  readonly injected: readonly InjectedEvent[];
}

interface Definition {
  readonly info: ScenarioInfo;
  readonly base: WorkloadKind<Workload>;
  readonly attack?: AttackKind<Workload>;
}

const BENIGN: readonly WorkloadKind<Workload>[] = [NGINX, CRON_BACKUP, SHELL];

const REGISTRY: ReadonlyMap<string, Definition> = new Map<string, Definition>([
  ...BENIGN.map((b): [string, Definition] => [
    b.name,
    { info: { name: b.name, description: b.description, kind: 'benign', base: b.name }, base: b },
  ]),
  ...ATTACKS.map((a): [string, Definition] => [
    a.name,
    {
      info: {
        name: a.name,
        description: `${a.base.name} + ${a.description}`,
        kind: 'attack',
        base: a.base.name,
      },
      // Type erasure only: generate() gives each attack the state its own base created.
      base: a.base,
      attack: a,
    },
  ]),
]);

export function listScenarios(): ScenarioInfo[] {
  return [...REGISTRY.values()].map((d) => d.info);
}

/** A second stream for the attack, so the benign events before the injection match the base scenario's. */
const ATTACK_STREAM_SALT = 0x5bd1e995;

function* generate(
  def: Definition,
  seed: number,
  iterations: number,
  digest: string,
  context?: string
): Generator<Emitted> {
  const w = new World(new Prng(seed), createSimDigest(digest), context);
  const workload = def.base.create(w);
  workload.setup();
  yield* w.drain();
  const attackRng = new Prng((seed ^ ATTACK_STREAM_SALT) >>> 0);
  const attackAt = def.attack ? attackRng.int(0, iterations - 1) : -1;
  for (let i = 0; i < iterations; i++) {
    const bursts = workload.iteration(i);
    if (i === attackAt && def.attack) {
      const attack = def.attack;
      bursts.splice(attackRng.int(0, bursts.length), 0, () =>
        w.inject('carrier', () => attack.inject(workload, w, attackRng))
      );
    }
    for (const burst of bursts) {
      burst();
      yield* w.drain();
    }
  }
}

function checkOptions(name: string, opts: ScenarioOptions): { context?: string } {
  checkSeed(opts.seed, `scenario ${name}: seed`);
  if (!Number.isInteger(opts.iterations) || opts.iterations < 1) {
    throw new RangeError(
      `scenario ${name}: iterations: expected an integer ≥ 1, got ${opts.iterations}`
    );
  }
  if (opts.namespace === undefined) return {};
  const ns = `${opts.namespace}`;
  if (!/^(0|[1-9][0-9]{0,19})$/.test(ns) || BigInt(ns) >= 1n << 64n) {
    throw new RangeError(
      `scenario ${name}: namespace: expected a decimal u64 namespace id, got '${ns}'`
    );
  }
  return { context: ns };
}

export function createScenario(name: string, opts: ScenarioOptions): Scenario {
  const def = REGISTRY.get(name);
  if (!def)
    throw new RangeError(
      `unknown scenario '${name}': expected one of ${[...REGISTRY.keys()].join(', ')}`
    );
  const { context } = checkOptions(name, opts);
  const digest = createSimDigest(opts.digest ?? 'sha256').name;
  const entries = function* (): Generator<SimEntry> {
    let index = 0;
    for (const e of generate(def, opts.seed, opts.iterations, digest, context))
      yield { index: index++, ...e };
  };
  let marks: InjectedEvent[] | undefined;
  let malicious: ReadonlySet<number> | undefined;
  // One pass on first use: the marks are known only once the stream has been generated.
  const injected = (): InjectedEvent[] => {
    if (!marks) {
      marks = [];
      for (const e of entries())
        if (e.role) marks.push({ index: e.index, type: e.event.event.type, role: e.role });
    }
    return marks;
  };
  return {
    name,
    describe: `${name}: ${def.info.description} (seed ${opts.seed}, ${opts.iterations} iteration(s), ${digest})`,
    digest,
    events: function* () {
      for (const e of entries()) yield e.event;
    },
    entries,
    get attackIndices() {
      return (malicious ??= new Set(
        injected()
          .filter((m) => m.role === 'malicious')
          .map((m) => m.index)
      ));
    },
    get injected() {
      return injected();
    },
  };
}
