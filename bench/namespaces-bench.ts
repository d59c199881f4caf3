/**
 * In-process ingest benchmark (no gRPC): an in-process generator submits simulated nginx kernel
 * lines straight to the engine's pipeline (model, stages, LevelDB persistence). Two figures:
 * throughput with 4 busy namespaces, and memory after 1M events spread over 100 namespaces.
 * Events are bounded by TSEM_BENCH_EVENTS (default 1,000,000) for quicker runs by hand;
 * TSEM_BENCH_WORKERS=N runs the engine with N worker threads (default 0: the main thread).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../daemon/start-engine.js';
import { benchWorkers, engineSubmit, feed, nginxLines } from './generator.js';
import { type BenchReport, round } from './report.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * RSS once it stops falling, the engine idle: sampled every 500 ms for up to 15 s (the engine's
 * idle collections run from 2–3 s after the last submission, its young-generation trim from 8 s,
 * and V8 unmaps the freed pages a second or two later), settled when 11 s have passed and a sample
 * fell by less than 1 MiB.
 */
async function settledRss(): Promise<number> {
  let last = process.memoryUsage().rss;
  for (let i = 1; i <= 30; i++) {
    await new Promise((res) => setTimeout(res, 500));
    const now = process.memoryUsage().rss;
    if (i >= 22 && now >= last - 1048576) return Math.min(now, last);
    last = now;
  }
  return last;
}

export async function runNamespacesBench(r: BenchReport): Promise<void> {
  const total = Number(process.env['TSEM_BENCH_EVENTS'] ?? 1_000_000);
  // The generator's own lines live in this process too: a pool of 16,384 (≈10 MiB) keeps them
  // from passing for engine memory (100,000 lines held ≈60 MiB more RSS, all of it the generator's).
  const lines = nginxLines(Number(process.env['TSEM_BENCH_LINES'] ?? 16_384));
  const lineBytes = lines.reduce((n, l) => n + l.length, 0);
  const dir = mkdtempSync(join(tmpdir(), 'tsem-nsbench-'));
  const workers = benchWorkers();
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    workers,
    log: () => undefined,
  });
  const submit = engineSubmit(engine);
  try {
    const idleRss = await settledRss();
    // 4 busy namespaces.
    const four = ['busy0', 'busy1', 'busy2', 'busy3'];
    const per4 = Math.floor(Math.min(total, 400_000) / four.length);
    await feed(submit, four, lines, 2048); // warm-up
    const cpu0 = process.cpuUsage();
    const secs4 = await feed(submit, four, lines, per4);
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
    const secs100 = await feed(submit, hundred, lines, perNs);
    clearInterval(sampler);
    const rightAfter = process.memoryUsage().rss;
    // What `ps` shows once the burst is over: the engine idles (no forced collection) while V8's
    // memory reducer and the allocator give back what the burst's garbage took.
    const settled = await settledRss();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const mem = process.memoryUsage();
    const points = engine.registry.list().reduce((n, ns) => n + ns.pointCount, 0);
    const mib = (b: number) => Math.round(b / 1048576);
    r.say(
      `100 namespaces, ${fmt(perNs * hundred.length)} events (${fmt(points)} points): ${fmt((perNs * hundred.length) / secs100)} events/s; engine RSS ${mib(settled)} MiB settled (${mib(rightAfter)} right after, peak ${mib(rssPeak)}, idle before ${mib(idleRss)}); heap ${mib(mem.heapUsed)} MiB live${gc ? ' after GC' : ''}; generator lines ${mib(lineBytes)} MiB`
    );
    r.figures({
      shard_workers: workers,
      events_per_s_4ns: Math.round(rate4),
      cores_used_4ns: round(cores4, 2),
      events_100ns: perNs * hundred.length,
      points_100ns: points,
      events_per_s_100ns: Math.round((perNs * hundred.length) / secs100),
      rss_idle_before_mib: mib(idleRss),
      rss_after_100ns_mib: mib(settled),
      rss_right_after_100ns_mib: mib(rightAfter),
      peak_rss_100ns_mib: mib(rssPeak),
      heap_used_after_100ns_mib: mib(mem.heapUsed),
      heap_total_after_100ns_mib: mib(mem.heapTotal),
      external_after_100ns_mib: mib(mem.external),
      generator_lines_mib: mib(lineBytes),
    });
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
