/** The watchdog's worker (loop-watchdog.ts): checks the main thread's heartbeat stamp. */
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const { clock, stallMs, fd, prefix } = workerData as {
  clock: BigInt64Array;
  stallMs: number;
  fd: number;
  prefix: string;
};

let reported = 0n;
setInterval(
  () => {
    const stamp = Atomics.load(clock, 0);
    const gone = Date.now() - Number(stamp);
    if (gone < stallMs || stamp === reported) return;
    reported = stamp; // once per stall
    Atomics.add(clock, 1, 1n);
    const line = `${new Date().toISOString()} ${prefix} event loop stalled for ${gone} ms: no RPC is answered and signals wait until it resumes\n`;
    try {
      writeSync(fd, line);
    } catch {
      // the log is gone: nothing else to tell
    }
  },
  Math.max(10, Math.floor(stallMs / 4))
);
