/**
 * fanotify benchmark: events/s the source observes, and the latency a permission decision adds
 * to open(2) — the full source (fstat, /proc, digest, mapping, then an allow-all responder)
 * against a trivial allow-everything responder on the same fanotify group settings, and against
 * no mark at all — all measured in the same run. Prints figures; skips with a reason unless root.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Durability } from '../engine/feed-source.js';
import { startEngine } from '../daemon/start-engine.js';
import { FanotifySource } from '../exporter/fanotify/fanotify-source.js';
import { FAN_EVENT_ON_CHILD, markMask } from '../exporter/fanotify/fanotify-mask.js';
import { loadNativeAddon } from '../native/addon.js';
import { type BenchReport, round } from './report.js';
import { benchWorkers } from './generator.js';

/** Each run opens every file once: with another uid every coefficient is new to the engine. */
const FILES = 3000;
const OPENS = 3000;
/** The uid of the runs whose coefficients are first seen (daemon: another COE than root's). */
const OTHER_UID = 1;

/** A child that opens the files round-robin, `passes` times over, and prints each open's latency
 * in ns of the last pass, one per line. */
const CHILD = `
const fs = require('fs');
const [dir, files, opens, passes] = process.argv.slice(1);
const out = new Array(Number(opens));
for (let pass = 0; pass < Number(passes); pass++) {
  for (let i = 0; i < out.length; i++) {
    const p = dir + '/f' + (i % Number(files));
    const t = process.hrtime.bigint();
    fs.closeSync(fs.openSync(p, 'r'));
    out[i] = process.hrtime.bigint() - t;
  }
}
process.stdout.write(out.join('\\n'));
`;

function runChild(dir: string, uid?: number, passes = 1): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const args = ['-e', CHILD, dir, String(FILES), String(OPENS), String(passes)];
    const c = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('close', (code) =>
      code === 0
        ? resolve(out.split('\n').map(Number))
        : reject(new Error(`bench child exited ${code}`))
    );
  });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Latency {
  readonly p50: number;
  readonly p99: number;
}

function summary(ns: number[]): Latency {
  const s = [...ns].sort((a, b) => a - b);
  return { p50: pct(s, 50) / 1000, p99: pct(s, 99) / 1000 };
}

const us = (v: number) => `${v.toFixed(1)} µs`;

/**
 * An engine with its in-process fanotify source on `dir` (enforce, learn mode): root's run learns
 * the files and fills the digest cache; the other uid's first run makes first-seen coefficients;
 * its second opens every file twice in one process: the first pass repeats them as known
 * (on-contour) and fills the verdict cache (keyed by the process), the second is the figure for
 * known events.
 */
async function engineRuns(
  dir: string,
  verdictCache: boolean,
  durability: Durability
): Promise<{ firstSeen: Latency; known: Latency; events: number; hits: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tsem-fanbench-data-'));
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir,
    log: () => undefined,
    workers: benchWorkers(),
    durability,
    sources: [
      {
        kind: 'fanotify',
        watch: [dir],
        markKind: 'directory',
        enforce: true,
        namespace: 'host:bench',
        verdictCache,
      },
    ],
  });
  try {
    await runChild(dir);
    const firstSeen = summary(await runChild(dir, OTHER_UID));
    const known = summary(await runChild(dir, OTHER_UID, 2));
    const scrape = (await engine.metrics.scrape()).body;
    const hits = Number(/name="cacheHits"\} (\d+)/.exec(scrape)?.[1] ?? 0);
    return { firstSeen, known, events: engine.registry.require('bench').eventCount, hits };
  } finally {
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The CLI, from dist/bench. */
const TSEM_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'tsem.js');

/**
 * The engine decides for a separate `tsem export --source fanotify --enforce` process over gRPC
 * (loopback): each held open crosses the exporter's batching, the Ingest stream and the engine's
 * BatchVerdicts before it is answered. Same runs as engineRuns (learn as root, then first-seen and
 * known coefficients of another uid); with `cache`, the exporter's reader answers the allows the
 * engine marked cacheable (tsem.proto Verdict.cacheable), else every open crosses.
 */
async function remoteRuns(
  dir: string,
  cache: boolean
): Promise<{ firstSeen: Latency; known: Latency }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tsem-fanbench-data-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'tsem-fanbench-state-'));
  const engine = await startEngine({ listen: '127.0.0.1:0', dataDir, log: () => undefined });
  const args = [
    TSEM_BIN,
    'export',
    '--source',
    'fanotify',
    '--watch',
    dir,
    '--mark',
    'directory',
    '--enforce',
    '--namespace',
    'bench',
    '--server',
    engine.address,
    '--data',
    dataDir,
    '--state',
    stateDir,
    '--retry-for',
    '0',
    ...(cache ? [] : ['--no-verdict-cache']),
  ];
  const exporter = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  exporter.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => exporter.on('close', resolve));
  try {
    // Ready once a child's open reaches the engine through it (this process is an engine: the
    // exporter never reports its own opens).
    for (let i = 0; engine.registry.get('bench') === undefined; i++) {
      if (exporter.exitCode !== null || i > 200)
        throw new Error(`tsem export did not start: ${stderr.trim()}`);
      // Not spawnSync: the open is held until this process's engine answers it.
      await once(spawn('cat', [join(dir, 'f0')], { stdio: 'ignore' }), 'close');
      await new Promise((r) => setTimeout(r, 50));
    }
    await runChild(dir);
    const firstSeen = summary(await runChild(dir, OTHER_UID));
    const known = summary(await runChild(dir, OTHER_UID, 2));
    return { firstSeen, known };
  } finally {
    exporter.kill('SIGTERM');
    await exited;
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export async function runFanotifyBench(r: BenchReport): Promise<void> {
  if (process.getuid?.() !== 0) {
    r.say('fanotify bench: skipped (needs root for fanotify_init)');
    r.figures({ skipped: 'needs root for fanotify_init' });
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsem-fanbench-'));
  try {
    chmodSync(dir, 0o755); // the other uid's runs read it too
    for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `f${i}`), Buffer.alloc(4096, i));
    const baseline = summary(await runChild(dir));

    // Trivial allow-everything responder: the native group answers in the JS batch callback.
    const addon = loadNativeAddon();
    const h = addon.fanOpen(
      { enforce: true, timeoutMs: 2000, failOpen: true, ignorePids: [], ignoreChildren: false },
      (batch) => {
        for (const e of batch) {
          addon.fanRespond(h, e.id, true);
          addon.fanRelease(h, e.id);
        }
      }
    );
    addon.fanMark(h, dir, 0, markMask(true) | FAN_EVENT_ON_CHILD, false);
    const trivial = summary(await runChild(dir));
    addon.fanClose(h);

    // C responder: the addon's reader thread answers the held opens of this process's children
    // itself (allow) and no JavaScript runs; it reads /proc/PID/stat for the parent pid per event,
    // a little more than an in-addon verdict cache's lookup would cost.
    const hc = addon.fanOpen(
      { enforce: true, timeoutMs: 2000, failOpen: true, ignorePids: [], ignoreChildren: true },
      (batch) => {
        for (const e of batch) {
          addon.fanRespond(hc, e.id, true);
          addon.fanRelease(hc, e.id);
        }
      }
    );
    addon.fanMark(hc, dir, 0, markMask(true) | FAN_EVENT_ON_CHILD, false);
    const cResponder = summary(await runChild(dir));
    const inThread = addon.fanStats(hc).autoAllowed;
    addon.fanClose(hc);

    // The full source in enforce mode, allowing everything.
    const src = new FanotifySource({
      watch: [{ path: dir, mark: 'directory' }],
      enforce: true,
      ignoreChildren: false,
    });
    await src.start();
    // The first run fills the source's digest cache; the figure is the second's.
    let events = 0;
    let first = 0n;
    let last = 0n;
    const consumer = (async () => {
      for await (const e of src) {
        if (events === 0) first = process.hrtime.bigint();
        events++;
        last = process.hrtime.bigint();
        e.respond?.(true);
      }
    })();
    await runChild(dir);
    events = 0;
    const full = summary(await runChild(dir));
    await src.stop();
    await consumer;

    // The engine decides: its in-process fanotify source feeds the model (contour map, LevelDB
    // persistence); each held open is answered as soon as its verdict exists (decided), and again
    // with durability strict, once its batch is persisted; known events with the verdict cache
    // (the default) and without it.
    const cached = await engineRuns(dir, true, 'decided');
    const uncached = await engineRuns(dir, false, 'decided');
    const strictRuns = await engineRuns(dir, true, 'strict');
    const decided = cached.firstSeen;
    const decidedKnown = cached.known;
    const strict = strictRuns.firstSeen;
    const strictKnown = strictRuns.known;
    const fed = { events: cached.events };
    const remote = await remoteRuns(dir, true);
    const remoteUncached = await remoteRuns(dir, false);

    // Observe mode: throughput of notification events, nothing held.
    const obs = new FanotifySource({
      watch: [{ path: dir, mark: 'directory' }],
      ignoreChildren: false,
    });
    await obs.start();
    let seen = 0;
    let t0 = 0n;
    let t1 = 0n;
    const obsConsumer = (async () => {
      for await (const _e of obs) {
        if (seen === 0) t0 = process.hrtime.bigint();
        seen++;
        t1 = process.hrtime.bigint();
      }
    })();
    await runChild(dir);
    // The kernel merges identical queued notifications, so fewer than OPENS may come: wait until idle.
    for (let before = -1; before !== seen;) {
      before = seen;
      await new Promise((r) => setTimeout(r, 300));
    }
    const stats = obs.stats();
    await obs.stop();
    await obsConsumer;

    const rate = (n: number, a: bigint, b: bigint) =>
      b > a ? (n / (Number(b - a) / 1e9)).toFixed(0) : 'n/a';
    r.say(
      `fanotify bench (${OPENS} opens of ${FILES} files of 4 KiB, each file once per run, one child process per run):`
    );
    r.say(
      `  observe mode: ${seen} events, ${rate(seen, t0, t1)} events/s observed (the kernel merges repeated opens of a queued file; dropped ${stats['dropped']}, kernel overflows ${stats['overflows']})`
    );
    r.say(`  enforce mode: ${events} held events, ${rate(events, first, last)} decisions/s`);
    r.say(
      `  open(2) latency p50/p99: no mark ${us(baseline.p50)} / ${us(baseline.p99)}; trivial allow-all responder ${us(trivial.p50)} / ${us(trivial.p99)}; full source + allow-all ${us(full.p50)} / ${us(full.p99)}`
    );
    r.say(
      `  added per decision vs trivial responder: p50 ${us(full.p50 - trivial.p50)}, p99 ${us(full.p99 - trivial.p99)} (trivial responder vs no mark: p50 ${us(trivial.p50 - baseline.p50)}, p99 ${us(trivial.p99 - baseline.p99)})`
    );
    r.say(
      `  engine decides (source → model → verdict, LevelDB written behind, ${fed.events} events): first-seen open(2) p50 ${us(decided.p50)} / p99 ${us(decided.p99)}; added vs trivial responder p50 ${us(decided.p50 - trivial.p50)}, p99 ${us(decided.p99 - trivial.p99)}`
    );
    r.say(
      `  C responder (the addon's reader thread answers ${inThread} of ${OPENS} opens without JavaScript): p50 ${us(cResponder.p50)} / p99 ${us(cResponder.p99)}`
    );
    r.say(
      `  engine decides, known events (repeated on-contour opens): p50 ${us(decidedKnown.p50)} / p99 ${us(decidedKnown.p99)} answered by the reader's verdict cache (${cached.hits} of ${OPENS} opens; ${(decidedKnown.p50 / cResponder.p50).toFixed(2)}× the C responder at p50, ${(decidedKnown.p99 / cResponder.p99).toFixed(2)}× at p99); without the cache p50 ${us(uncached.known.p50)} / p99 ${us(uncached.known.p99)}`
    );
    r.say(
      `  --durability strict (answered once persisted): first-seen p50 ${us(strict.p50)} / p99 ${us(strict.p99)}; known p50 ${us(strictKnown.p50)} / p99 ${us(strictKnown.p99)}`
    );
    r.say(
      `  engine decides for a separate tsem export process (gRPC, loopback): first-seen p50 ${us(remote.firstSeen.p50)} / p99 ${us(remote.firstSeen.p99)}; known p50 ${us(remote.known.p50)} / p99 ${us(remote.known.p99)} with its verdict cache, ${us(remoteUncached.known.p50)} / ${us(remoteUncached.known.p99)} without`
    );
    const cases: [string, { p50: number; p99: number }, Durability?][] = [
      ['no_mark', baseline],
      ['c_responder', cResponder],
      ['trivial_responder', trivial],
      ['source_allow_all', full],
      ['engine_decides', decided, 'decided'],
      ['engine_decides_known', decidedKnown, 'decided'],
      ['engine_decides_known_uncached', uncached.known, 'decided'],
      ['engine_decides_strict', strict, 'strict'],
      ['engine_decides_known_strict', strictKnown, 'strict'],
      ['engine_decides_remote', remote.firstSeen, 'decided'],
      ['engine_decides_remote_known', remote.known, 'decided'],
      ['engine_decides_remote_known_uncached', remoteUncached.known, 'decided'],
    ];
    for (const [name, s, durability] of cases)
      r.figures({
        case: name,
        ...(durability ? { durability } : {}),
        opens: OPENS,
        open_p50_us: round(s.p50),
        open_p99_us: round(s.p99),
        added_p50_us: round(s.p50 - baseline.p50),
        added_p99_us: round(s.p99 - baseline.p99),
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
