/**
 * Namespaces in worker threads (`tsem serve --workers N`): 4 busy namespaces fed by the in-process
 * generator through the engine's whole path (pipeline, stages, the mirror, the one LevelDB
 * writer), with the events decided on the main thread, in 1 worker or in 2 workers. Reports what
 * 2 workers give against 1, the cores used, and what each worker costs in memory. Every layout
 * must leave the same namespaces, or the benchmark fails.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../daemon/start-engine.js';
import { engineSubmit, feed, nginxLines } from './generator.js';
import { type BenchReport, round } from './report.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (b: number) => b / 1048576;

/**
 * The main thread's own CPU time in seconds (Linux: its task's utime + stime, in clock ticks of
 * 10 ms): with worker threads on as many cores, the event loop's busy time would count time the
 * main thread waited for a core.
 */
function mainThreadCpu(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** RSS after a full collection, in MiB. */
function rssNow(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return mib(process.memoryUsage().rss);
}

interface Run {
  rate: number;
  cores: number;
  /** RSS once warmed up and run, after a collection. */
  rss: number;
  /** The workers' V8 heaps after the run (their own isolates' figures), MiB each. */
  workerHeap: number;
  /** The main thread's CPU time per event: its share. */
  mainUs: number;
  /** Each namespace's measurement and point count: the same for every layout. */
  stored: string;
}

async function runOnce(workers: number, lines: Buffer[], perNs: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-wbench-'));
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    workers,
    idleGc: false,
    log: () => undefined,
  });
  const submit = engineSubmit(engine);
  const names = ['busy0', 'busy1', 'busy2', 'busy3'];
  try {
    await feed(submit, names, lines, 2048); // warm-up: workers started, code compiled
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpu();
    const secs = await feed(submit, names, lines, perNs);
    const mainSecs = mainThreadCpu() - main0;
    const cpu = process.cpuUsage(cpu0);
    const heaps = (await engine.shards?.stats()) ?? [];
    return {
      mainUs: (mainSecs * 1e6) / (perNs * names.length),
      workerHeap: heaps.length
        ? mib(heaps.reduce((n, h) => n + h.heapTotalBytes + h.externalBytes, 0)) / heaps.length
        : 0,
      stored: engine.registry
        .list()
        .map((m) => `${m.id}=${m.measurement.toString('hex')}/${m.pointCount}/${m.eventCount}`)
        .sort()
        .join(' '),
      rate: (perNs * names.length) / secs,
      cores: (cpu.user + cpu.system) / 1e6 / secs,
      rss: rssNow(),
    };
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runWorkerScalingBench(r: BenchReport): Promise<void> {
  const total = Math.min(Number(process.env['TSEM_BENCH_EVENTS'] ?? 800_000), 800_000);
  const perNs = Math.floor(total / 4);
  const lines = nginxLines(16_384);
  const configs = [0, 1, 2];
  const runs = new Map<number, Run[]>(configs.map((c) => [c, []]));
  // Alternating rounds, medians: the machine's drift falls on every configuration alike.
  for (let round = 0; round < 3; round++)
    for (const c of configs) runs.get(c)!.push(await runOnce(c, lines, perNs));
  // A layout that models differently is not a faster one: every run must leave the same namespaces.
  const stored = new Set([...runs.values()].flat().map((x) => x.stored));
  if (stored.size !== 1)
    throw new Error(`the layouts left different namespaces: ${[...stored].join(' | ')}`);
  const med = (c: number, f: Exclude<keyof Run, 'stored'>) => median(runs.get(c)!.map((x) => x[f]));
  const ratio = med(2, 'rate') / med(1, 'rate');

  const say = (c: number) =>
    `${fmt(med(c, 'rate'))} events/s (${med(c, 'cores').toFixed(2)} cores, main thread ${med(c, 'mainUs').toFixed(1)} µs/event)`;
  r.say(
    `4 busy namespaces through the engine (pipeline, stages, mirror, one writer), ${availableParallelism()} cores: main thread ${say(0)}; 1 worker ${say(1)}; 2 workers ${say(2)}; 2 workers against 1: ${ratio.toFixed(2)}×; each worker's heap ${med(1, 'workerHeap').toFixed(0)} MiB with 1, ${med(2, 'workerHeap').toFixed(0)} MiB each with 2 (process RSS ${med(0, 'rss').toFixed(0)}, ${med(1, 'rss').toFixed(0)}, ${med(2, 'rss').toFixed(0)} MiB)`
  );
  r.figures({
    cpus: availableParallelism(),
    events: perNs * 4,
    events_per_s_main_thread: Math.round(med(0, 'rate')),
    events_per_s_1_worker: Math.round(med(1, 'rate')),
    events_per_s_2_workers: Math.round(med(2, 'rate')),
    ratio_2_workers_to_1: round(ratio, 2),
    ratio_2_workers_to_main_thread: round(med(2, 'rate') / med(0, 'rate'), 2),
    cores_used_main_thread: round(med(0, 'cores'), 2),
    cores_used_1_worker: round(med(1, 'cores'), 2),
    cores_used_2_workers: round(med(2, 'cores'), 2),
    // The main thread's share of an event (the generator's included): with workers, what bounds
    // a host with cores to spare at 1e6 / this events/s.
    main_thread_us_per_event: round(med(0, 'mainUs'), 2),
    main_thread_us_per_event_1_worker: round(med(1, 'mainUs'), 2),
    main_thread_us_per_event_2_workers: round(med(2, 'mainUs'), 2),
    rss_main_thread_mib: round(med(0, 'rss'), 1),
    rss_1_worker_mib: round(med(1, 'rss'), 1),
    rss_2_workers_mib: round(med(2, 'rss'), 1),
    worker_heap_mib: round(med(1, 'workerHeap'), 1),
    worker_heap_mib_of_2: round(med(2, 'workerHeap'), 1),
  });
}
