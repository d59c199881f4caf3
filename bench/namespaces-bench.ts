/**
 * In-process ingest benchmark (no gRPC): an in-process generator submits simulated nginx kernel
 * lines straight to the engine's pipeline (model, stages, LevelDB persistence). Two figures:
 * throughput with 4 busy namespaces, and memory after 1M events spread over 100 namespaces.
 * Events are bounded by TSEM_BENCH_EVENTS (default 1,000,000) for quicker runs by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type RunningEngine } from '../daemon/start-engine.js';
import { createScenario, formatEventLine } from '../exporter/sim/index.js';
import { type BenchReport, round } from './report.js';

const BATCH = 1024;
/** Batches in flight per namespace, as an exporter's window. */
const WINDOW = 4;
/** Batches in flight over all namespaces. */
const MAX_IN_FLIGHT = 16;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function nginxLines(n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let seed = 1; out.length < n; seed++)
    for (const e of createScenario('nginx', { seed, iterations: 20 }).events()) {
      out.push(Buffer.from(formatEventLine(e)));
      if (out.length >= n) break;
    }
  return out;
}

/**
 * Streams `perNs` events into each namespace (lines reused, offset per namespace) with at most
 * WINDOW batches in flight per namespace and MAX_IN_FLIGHT overall, as a set of exporters with
 * bounded windows would; returns seconds.
 */
async function feed(engine: RunningEngine, names: string[], lines: Buffer[], perNs: number) {
  const origin = { host: 'bench', exporter: 'generator' };
  const work: [string, number, number][] = [];
  for (let from = 0; from < perNs; from += BATCH)
    names.forEach((ns, k) => work.push([ns, k, from]));
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < work.length) {
      const [ns, k, from] = work[next++]!;
      const events = [];
      for (let i = from; i < Math.min(perNs, from + BATCH); i++)
        events.push({ line: lines[(i + k * 7919) % lines.length]! });
      const out = await engine.submit(ns, origin, events);
      const bad = out.find((o) => 'error' in o);
      if (bad && 'error' in bad) throw new Error(`namespace ${ns}: ${bad.error}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, WINDOW * names.length) }, lane));
  return (performance.now() - t0) / 1000;
}

export async function runNamespacesBench(r: BenchReport): Promise<void> {
  const total = Number(process.env['TSEM_BENCH_EVENTS'] ?? 1_000_000);
  const lines = nginxLines(100_000);
  const dir = mkdtempSync(join(tmpdir(), 'tsem-nsbench-'));
  const engine = await startEngine({ listen: '127.0.0.1:0', dataDir: dir, log: () => undefined });
  try {
    // 4 busy namespaces.
    const four = ['busy0', 'busy1', 'busy2', 'busy3'];
    const per4 = Math.floor(Math.min(total, 400_000) / four.length);
    await feed(engine, four, lines, 2048); // warm-up
    const cpu0 = process.cpuUsage();
    const secs4 = await feed(engine, four, lines, per4);
    const cpu = process.cpuUsage(cpu0);
    const rate4 = (per4 * four.length) / secs4;
    const cores4 = (cpu.user + cpu.system) / 1e6 / secs4;
    r.say(
      `4 busy namespaces, in-process generator → pipeline → LevelDB: ${fmt(rate4)} events/s (${per4 * four.length} events, ${cores4.toFixed(2)} cores used)`
    );
    // 1M events over 100 namespaces, then memory.
    const hundred = Array.from({ length: 100 }, (_, i) => `many${i}`);
    const perNs = Math.floor(total / hundred.length);
    let rssPeak = process.memoryUsage().rss;
    const sampler = setInterval(
      () => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)),
      100
    );
    const secs100 = await feed(engine, hundred, lines, perNs);
    clearInterval(sampler);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    await new Promise((res) => setTimeout(res, 200));
    const mem = process.memoryUsage();
    const rssMiB = mem.rss / 1048576;
    r.say(
      `100 namespaces, ${fmt(perNs * hundred.length)} events: ${fmt((perNs * hundred.length) / secs100)} events/s; engine RSS after ${rssMiB.toFixed(0)} MiB (heap ${(mem.heapUsed / 1048576).toFixed(0)} MiB${gc ? ' after GC' : ''}), peak ${(rssPeak / 1048576).toFixed(0)} MiB`
    );
    r.figures({
      workers: 1,
      events_per_s_4ns: Math.round(rate4),
      cores_used_4ns: round(cores4, 2),
      events_100ns: perNs * hundred.length,
      events_per_s_100ns: Math.round((perNs * hundred.length) / secs100),
      rss_after_100ns_mib: Math.round(rssMiB),
      heap_used_after_100ns_mib: Math.round(mem.heapUsed / 1048576),
      heap_total_after_100ns_mib: Math.round(mem.heapTotal / 1048576),
      external_after_100ns_mib: Math.round(mem.external / 1048576),
      peak_rss_100ns_mib: Math.round(rssPeak / 1048576),
    });
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
