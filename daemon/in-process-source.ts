/**
 * In-process event sources for the engine program: a looping simulated workload, or a kernel
 * source (fanotify, audit) of this host, each with the origin its events are attributed to.
 */
import { hostname } from 'node:os';
import type { FedEvent } from '../engine/feed-source.js';
import type { EventOrigin } from '../engine/ns/pipeline.js';
import { createScenario } from '../exporter/sim/index.js';
import { createSource } from '../exporter/sources.js';
import type { DropCounts } from '../exporter/source.js';
import type { SourceSpec } from './engine-options.js';

export interface InProcessSource {
  readonly events: AsyncIterable<FedEvent>;
  readonly origin: EventOrigin;
  /** One line for the start-up log. */
  readonly describe: string;
  /** How a held event the engine could not judge is answered. */
  readonly failOpen: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The source's counters (kernel losses, drops, backlog), for metrics. */
  stats(): Readonly<Record<string, number>>;
  /** Events the source could not deliver, by cause, since it started. */
  drops(): DropCounts;
  /** Forgets the verdicts the source remembers (its verdict cache), when it has one. */
  invalidate(): void;
}

const DEFAULT_SIM_RATE = 2000;

/** Loops a seeded scenario at `rate` events per second until stopped. */
function simSource(spec: Extract<SourceSpec, { kind: 'sim' }>): InProcessSource {
  const name = spec.scenario ?? 'nginx';
  const rate = spec.rate ?? DEFAULT_SIM_RATE;
  const namespace = spec.namespace ?? 'sim';
  createScenario(name, { seed: 1, iterations: 1 }); // validates the name before the server starts
  const stopping = new AbortController();
  const signal = stopping.signal;
  const events = (async function* () {
    for (let seed = 1; !signal.aborted; seed++) {
      const started = Date.now();
      let n = 0;
      for (const event of createScenario(name, { seed, iterations: 1 }).events()) {
        if (signal.aborted) return;
        yield { namespace, event };
        if (++n % 100 === 0) {
          const ahead = (n / rate) * 1000 - (Date.now() - started);
          if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
        }
      }
    }
  })();
  return {
    events,
    origin: { host: 'sim', exporter: 'sim' },
    describe: `source sim: scenario ${name} into namespace ${namespace}`,
    failOpen: true,
    drops: () => ({}),
    invalidate: () => undefined,
    start: () => Promise.resolve(),
    stop: () => {
      stopping.abort();
      return Promise.resolve();
    },
    stats: () => ({}),
  };
}

export function createInProcessSource(spec: SourceSpec): InProcessSource {
  if (spec.kind === 'sim') return simSource(spec);
  const { kind, ...options } = spec;
  // The engine beside it empties the cache whenever its decisions change: on unless turned off.
  const source = createSource(kind, {
    ...options,
    verdictCache: kind === 'fanotify' && (options.verdictCache ?? true),
  });
  return {
    events: source,
    origin: { host: hostname(), exporter: kind },
    describe: `source ${kind} started`,
    failOpen: (options.failMode ?? 'open') === 'open',
    drops: () => source.drops(),
    invalidate: () => source.invalidate?.(),
    start: () => source.start(),
    stop: () => source.stop(),
    stats: () => source.stats(),
  };
}
