/**
 * Namespaces in worker threads, measured before they are built into the engine: 4 busy namespaces
 * fed by the in-process generator, each namespace owned by one shard (ordering per namespace
 * kept), the shards on the main thread or spread over 1 or 2 worker threads, one LevelDB writer on
 * the main thread. A shard runs the engine's own model, parse cache and record encoding, but not
 * the stages, fan-out or metrics, so these figures are the ceiling of that design on this machine:
 * what 2 workers give against 1, and what each worker costs in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LevelStore } from '../engine/store/level-store.js';
import { feed, nginxLines, type SubmitLines } from './generator.js';
import { type BenchReport, round } from './report.js';
import { ShardCore } from './shard-core.js';
import type { FromShard, ToShard } from './shard-worker.js';

interface Shards {
  readonly submit: SubmitLines;
  close(): Promise<void>;
}

/** Every shard on the main thread: the engine's layout today. */
function inlineShards(store: LevelStore): Shards {
  const core = new ShardCore();
  return {
    submit: async (ns, lines) => {
      const b = core.apply(ns, lines);
      await store.writeOps(b.ops);
      core.persisted(ns, b.trajectory, b.forensics);
    },
    close: async () => undefined,
  };
}

/** Lines packed into one buffer of their own, so that it can be transferred, not copied. */
function pack(lines: readonly Buffer[]): {
  data: Uint8Array<ArrayBuffer>;
  ends: Uint32Array<ArrayBuffer>;
} {
  const ends = new Uint32Array(lines.length);
  let at = 0;
  lines.forEach((l, i) => (ends[i] = at += l.length));
  const data = new Uint8Array(at);
  at = 0;
  for (const l of lines) {
    data.set(l, at);
    at += l.length;
  }
  return { data, ends };
}

/** Namespaces spread over `n` workers as they first appear; one writer here. */
function workerShards(n: number, store: LevelStore): Shards {
  const workers = Array.from(
    { length: n },
    () => new Worker(new URL('./shard-worker.js', import.meta.url))
  );
  const owner = new Map<string, Worker>();
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 0;
  const failAll = (err: Error) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  for (const w of workers) {
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`a shard worker exited (code ${code})`)));
    w.on('message', (m: FromShard) => {
      const settle = waiting.get(m.id)!;
      waiting.delete(m.id);
      if ('error' in m) return settle.reject(new Error(m.error));
      const b = m.batch;
      store.writeOps(b.ops).then(() => {
        const done: ToShard = {
          kind: 'persisted',
          ns: b.ns,
          trajectory: b.trajectory,
          forensics: b.forensics,
        };
        w.postMessage(done);
        settle.resolve();
      }, settle.reject);
    });
  }
  return {
    submit: (ns, lines) =>
      new Promise((resolve, reject) => {
        let w = owner.get(ns);
        if (!w) owner.set(ns, (w = workers[owner.size % n]!));
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        const { data, ends } = pack(lines);
        const msg: ToShard = { kind: 'batch', id, ns, data, ends };
        w.postMessage(msg, [data.buffer, ends.buffer]);
      }),
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (b: number) => b / 1048576;

/** RSS after a full collection, in MiB. */
function rssNow(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return mib(process.memoryUsage().rss);
}

interface Run {
  rate: number;
  cores: number;
  rssPerWorker: number;
  /** Each namespace's measurement as the store holds it: the same for every layout. */
  stored: string;
}

async function runOnce(workers: number, lines: Buffer[], perNs: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-wbench-'));
  const store = await LevelStore.open(dir);
  const before = rssNow();
  const shards = workers === 0 ? inlineShards(store) : workerShards(workers, store);
  const names = ['busy0', 'busy1', 'busy2', 'busy3'];
  try {
    await feed(shards.submit, names, lines, 2048); // warm-up: workers started, code compiled
    const rssPerWorker = workers === 0 ? 0 : (rssNow() - before) / workers;
    const cpu0 = process.cpuUsage();
    const secs = await feed(shards.submit, names, lines, perNs);
    const cpu = process.cpuUsage(cpu0);
    const loaded = await store.loadAll();
    return {
      stored: loaded
        .map((m) => `${m.id}=${m.measurement.toString('hex')}`)
        .sort()
        .join(' '),
      rate: (perNs * names.length) / secs,
      cores: (cpu.user + cpu.system) / 1e6 / secs,
      rssPerWorker,
    };
  } finally {
    await shards.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runWorkerScalingBench(r: BenchReport): Promise<void> {
  // 300,000 events per namespace: shorter runs still ride on the JIT's and the parse cache's warm-up.
  const total = Math.min(Number(process.env['TSEM_BENCH_EVENTS'] ?? 1_200_000), 1_200_000);
  const perNs = Math.floor(total / 4);
  const lines = nginxLines(16_384);
  const configs = [0, 1, 2];
  const runs = new Map<number, Run[]>(configs.map((c) => [c, []]));
  // Alternating rounds, medians: the machine's drift falls on every configuration alike.
  for (let round = 0; round < 3; round++)
    for (const c of configs) runs.get(c)!.push(await runOnce(c, lines, perNs));
  // A layout that models differently is not a faster one: every run must leave the same store.
  const stored = new Set([...runs.values()].flat().map((x) => x.stored));
  if (stored.size !== 1)
    throw new Error(`the layouts stored different measurements: ${[...stored].join(' | ')}`);
  const med = (c: number, f: Exclude<keyof Run, 'stored'>) => median(runs.get(c)!.map((x) => x[f]));
  const ratio = med(2, 'rate') / med(1, 'rate');
  const say = (c: number) =>
    `${fmt(med(c, 'rate'))} events/s (${med(c, 'cores').toFixed(2)} cores)`;
  r.say(
    `4 busy namespaces, model + records in shards, one writer (ceiling: no stages or fan-out), ${availableParallelism()} cores: main thread ${say(0)}; 1 worker ${say(1)}; 2 workers ${say(2)}; 2 workers against 1: ${ratio.toFixed(2)}×; each worker ≈${med(1, 'rssPerWorker').toFixed(0)} MiB RSS`
  );
  r.figures({
    cpus: availableParallelism(),
    events: perNs * 4,
    events_per_s_main_thread: Math.round(med(0, 'rate')),
    events_per_s_1_worker: Math.round(med(1, 'rate')),
    events_per_s_2_workers: Math.round(med(2, 'rate')),
    ratio_2_workers_to_1: round(ratio, 2),
    cores_used_main_thread: round(med(0, 'cores'), 2),
    cores_used_1_worker: round(med(1, 'cores'), 2),
    cores_used_2_workers: round(med(2, 'cores'), 2),
    rss_per_worker_mib: round(med(1, 'rssPerWorker'), 1),
    rss_per_worker_mib_of_2: round(med(2, 'rssPerWorker'), 1),
  });
}
