/**
 * End-to-end benchmark: a separate exporter process streams simulated events over gRPC into this
 * process's engine (LevelDB persistence, verdicts), with one stalled and one live subscriber.
 * Prints events/s, verdict latency percentiles, subscriber drops and the engine's peak RSS.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { startEngine } from '../engine/index.js';
import { loadTsemProto } from '../proto/load.js';
import type { MonitorClient } from '../proto/gen/tsem/v1/Monitor.js';
import type { MonitorMessage__Output } from '../proto/gen/tsem/v1/MonitorMessage.js';

const run = promisify(execFile);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function runE2eBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-bench-'));
  const engine = await startEngine({ listen: '127.0.0.1:0', dataDir: dir, log: () => undefined });
  const monitor = new (loadTsemProto().proto.tsem.v1.Monitor)(engine.address, grpc.credentials.createInsecure()) as unknown as MonitorClient;
  let rssPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  // One stalled subscriber (never reads) and one live one.
  const stalled = monitor.Subscribe({ queue_size: 1024 });
  stalled.pause();
  let stalledMsgs = 0;
  stalled.on('data', () => stalledMsgs++);
  stalled.on('error', () => undefined);
  let liveEvents = 0;
  let liveDropped = 0;
  const live = monitor.Subscribe({ queue_size: 65536 });
  live.on('data', (m: MonitorMessage__Output) => (m.event ? liveEvents++ : (liveDropped += Number(m.dropped?.count ?? 0))));
  live.on('error', () => undefined);
  try {
    const exporter = join(dirname(fileURLToPath(import.meta.url)), 'e2e-exporter.js');
    const { stdout } = await run(process.execPath, [exporter, engine.address, '200000', '1024', '8'], { maxBuffer: 1 << 20 });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as { events: number; errors: number; eventsPerSecond: number; batchP50Us: number; batchP99Us: number; batch: number };
    await new Promise((res) => setTimeout(res, 500));
    // Read what the stalled subscriber was sent to count its in-band drop report.
    let stalledDropped = 0;
    stalled.removeAllListeners('data');
    stalled.on('data', (m: MonitorMessage__Output) => (stalledDropped += Number(m.dropped?.count ?? 0)));
    stalled.resume();
    await new Promise((res) => setTimeout(res, 500));
    const usage = process.resourceUsage();
    console.log(`end to end (exporter process → gRPC → engine with LevelDB persistence and verdicts; 200,000 nginx events in 4 namespaces, batches of ${r.batch})`);
    console.log(`  throughput          : ${fmt(r.eventsPerSecond)} events/s (${r.events} acknowledged, ${r.errors} errors)`);
    console.log(`  verdict latency     : p50 ${(r.batchP50Us / 1000).toFixed(1)} ms, p99 ${(r.batchP99Us / 1000).toFixed(1)} ms per batch (send → persisted verdicts)`);
    console.log(`  stalled subscriber  : ${fmt(stalledDropped)} events dropped and reported in-band (queue 1024)`);
    console.log(`  live subscriber     : ${fmt(liveEvents)} events received, ${fmt(liveDropped)} dropped`);
    console.log(`  engine peak RSS     : ${(Math.max(rssPeak, usage.maxRSS * 1024) / 1048576).toFixed(0)} MiB; engine CPU ${(usage.userCPUTime / 1e6).toFixed(1)} s user, ${(usage.systemCPUTime / 1e6).toFixed(1)} s system`);
  } finally {
    clearInterval(sampler);
    stalled.cancel();
    live.cancel();
    monitor.close();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
