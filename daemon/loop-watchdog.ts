/**
 * Reports a stalled event loop while it is stalled. The main thread stamps a shared clock every
 * HEARTBEAT_MS; a worker thread checks the stamp and, when it is older than `stallMs`, writes a
 * line straight to the log's file descriptor (the main thread cannot: it is the one stuck). When
 * the loop runs again the main thread logs how long it was gone. A stall means no RPC is answered
 * and signals wait: the report says so, so an operator knows where to look.
 */
import { Worker } from 'node:worker_threads';
import type { Log } from '../common/log.js';

const HEARTBEAT_MS = 100;
/** Default: a loop gone this long is reported. */
export const DEFAULT_STALL_MS = 2000;

export interface LoopWatchdog {
  /** Stalls the main thread came back from. */
  readonly stalls: () => number;
  /** Stalls the worker reported while they lasted. */
  readonly reported: () => number;
  stop(): Promise<void>;
}

export interface WatchdogOptions {
  readonly stallMs?: number;
  /** Where the worker writes during a stall (default 2, stderr). */
  readonly fd?: number;
  /** Prefix of the worker's lines, as the log's (default `tsem`). */
  readonly prefix?: string;
}

export function startLoopWatchdog(log: Log, opts: WatchdogOptions = {}): LoopWatchdog {
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const clock = new BigInt64Array(new SharedArrayBuffer(16));
  Atomics.store(clock, 0, BigInt(Date.now()));
  let stalls = 0;
  let last = Date.now();
  const beat = setInterval(() => {
    const now = Date.now();
    if (now - last > stallMs) {
      stalls++;
      log(`event loop resumed after a ${now - last} ms stall (RPCs and signals waited)`);
    }
    last = now;
    Atomics.store(clock, 0, BigInt(now));
  }, HEARTBEAT_MS);
  beat.unref();
  const worker = new Worker(new URL('./loop-watchdog-worker.js', import.meta.url), {
    workerData: { clock, stallMs, fd: opts.fd ?? 2, prefix: opts.prefix ?? 'tsem' },
  });
  worker.unref();
  return {
    stalls: () => stalls,
    reported: () => Number(Atomics.load(clock, 1)),
    async stop() {
      clearInterval(beat);
      await worker.terminate();
    },
  };
}
