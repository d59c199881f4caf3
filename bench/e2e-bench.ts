/**
 * End-to-end benchmark: a separate exporter process streams simulated events over gRPC into this
 * process's engine (LevelDB persistence, verdicts), with one stalled and one live subscriber.
 * Prints events/s, verdict latency percentiles, subscriber drops and the engine's peak RSS.
 */
import { execFile } from 'node:child_process';
import { type BenchReport, round } from './report.js';
import { benchWorkers } from './generator.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { startEngine } from '../daemon/start-engine.js';
import { loadTsemProto } from '../proto/load.js';
import type { MonitorMessage__Output } from '../proto/gen/tsem/v1/MonitorMessage.js';

const run = promisify(execFile);
const LIVE_QUEUE = 64_512;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface ExporterFigures {
  events: number;
  errors: number;
  eventsPerSecond: number;
  batchP50Us: number;
  batchP99Us: number;
  batch: number;
  seconds: number;
}

async function exportRun(
  address: string,
  count: number,
  form: 'bulk' | 'kernel_json' | 'structured'
): Promise<ExporterFigures> {
  const exporter = join(dirname(fileURLToPath(import.meta.url)), 'e2e-exporter.js');
  const { stdout } = await run(
    process.execPath,
    [exporter, address, String(count), '4096', '4', form],
    { maxBuffer: 1 << 20 }
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as ExporterFigures;
}

export async function runE2eBench(r: BenchReport): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-bench-'));
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: dir,
    workers: benchWorkers(),
    log: () => undefined,
  });
  const monitor = new (loadTsemProto().proto.tsem.v1.Monitor)(
    engine.address,
    grpc.credentials.createInsecure()
  );
  let rssPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  try {
    // No subscribers — ingest, model, persistence and verdicts only, in the three wire forms.
    const cpu0 = process.cpuUsage();
    const plain = await exportRun(engine.address, 200_000, 'bulk');
    const cpu1 = process.cpuUsage(cpu0);
    const perEvent = await exportRun(engine.address, 200_000, 'kernel_json');
    const structured = await exportRun(engine.address, 100_000, 'structured');
    // Run 2: one stalled subscriber (never reads) and one live one.
    const stalled = monitor.Subscribe({ queue_size: 1024 });
    stalled.pause();
    let stalledError: string | undefined;
    stalled.on('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED) stalledError = err.details;
    });
    let liveEvents = 0;
    let liveDropped = 0;
    // Both within one identity's queue limit (DEFAULT_LIMITS.maxQueuedPerIdentity, 65,536 summed).
    const live = monitor.Subscribe({ queue_size: LIVE_QUEUE });
    live.on('data', (m: MonitorMessage__Output) =>
      m.event ? liveEvents++ : (liveDropped += Number(m.dropped?.count ?? 0))
    );
    let liveError: string | undefined;
    live.on('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED) liveError = err.details;
    });
    await new Promise((res) => setTimeout(res, 200));
    const watched = await exportRun(engine.address, 100_000, 'bulk');
    // The live subscriber gets every event or an in-band count of those dropped: wait for all.
    for (let t = 0; t < 200 && liveEvents + liveDropped < watched.events; t++)
      await new Promise((res) => setTimeout(res, 50));
    let stalledDropped = 0;
    stalled.on(
      'data',
      (m: MonitorMessage__Output) => (stalledDropped += Number(m.dropped?.count ?? 0))
    );
    stalled.resume();
    await new Promise((res) => setTimeout(res, 500));
    stalled.cancel();
    live.cancel();
    // A refused subscription would make its figures meaningless.
    if (liveError ?? stalledError)
      throw new Error(`a subscription failed: ${liveError ?? stalledError}`);
    const cpuUs = cpu1.user + cpu1.system;
    const cpuPerEventUs = (cpuUs / plain.events).toFixed(1);
    // Engine CPU over the streaming time: 1.0 is one core busy the whole run.
    const coresUsed = cpuUs / 1e6 / plain.seconds;
    r.say(
      `end to end (exporter process → gRPC → engine with LevelDB persistence and verdicts; nginx events in 4 namespaces, batches of ${plain.batch}, 4 in flight)`
    );
    r.say(
      `  throughput, no subscriber : ${fmt(plain.eventsPerSecond)} events/s in LineBlocks (${plain.events} acknowledged, ${plain.errors} errors; engine CPU ${cpuPerEventUs} µs/event)`
    );
    r.say(
      `                              ${fmt(perEvent.eventsPerSecond)} events/s as one kernel_json Event each; ${fmt(structured.eventsPerSecond)} events/s as structured Events`
    );
    r.say(
      `  verdict latency           : p50 ${(plain.batchP50Us / 1000).toFixed(1)} ms, p99 ${(plain.batchP99Us / 1000).toFixed(1)} ms per 4096-event batch (send → persisted verdicts)`
    );
    r.say(
      `  with 2 subscribers        : ${fmt(watched.eventsPerSecond)} events/s in LineBlocks (${watched.events} acknowledged)`
    );
    r.say(
      `  stalled subscriber        : ${fmt(stalledDropped)} events dropped, reported in-band (queue 1024)`
    );
    r.say(
      `  live subscriber           : ${fmt(liveEvents)} events received, ${fmt(liveDropped)} dropped (queue ${LIVE_QUEUE})`
    );
    const peakMiB = Math.max(rssPeak, process.resourceUsage().maxRSS * 1024) / 1048576;
    r.say(
      `  engine cores used         : ${coresUsed.toFixed(2)} (engine CPU / wall time, bulk run)`
    );
    r.say(`  engine peak RSS           : ${peakMiB.toFixed(0)} MiB`);
    r.figures({
      events: plain.events,
      errors: plain.errors,
      events_per_s_bulk: Math.round(plain.eventsPerSecond),
      events_per_s_kernel_json: Math.round(perEvent.eventsPerSecond),
      events_per_s_structured: Math.round(structured.eventsPerSecond),
      engine_cpu_us_per_event: round(cpuUs / plain.events),
      cores_used: round(coresUsed, 2),
      batch_p50_ms: round(plain.batchP50Us / 1000),
      batch_p99_ms: round(plain.batchP99Us / 1000),
      events_per_s_with_subscribers: Math.round(watched.eventsPerSecond),
      stalled_subscriber_dropped: stalledDropped,
      live_subscriber_received: liveEvents,
      live_subscriber_dropped: liveDropped,
      peak_rss_mib: Math.round(peakMiB),
    });
  } finally {
    clearInterval(sampler);
    monitor.close();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
