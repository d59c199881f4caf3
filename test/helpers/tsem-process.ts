/**
 * `tsem` as a real child process (`node bin/tsem.js …`), for tests of what only a process shows:
 * signals, exit status, stdout closed by its reader, kill -9, memory. Output is collected; the
 * child is killed when the test process exits, so none is left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo.js';

export interface TsemProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written so far. */
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves with the exit code (null when killed) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until stderr (or stdout) matches `re`; rejects after `ms` or when the process exits. */
  waitFor(re: RegExp, ms?: number, stream?: 'err' | 'out'): Promise<RegExpMatchArray>;
  /** Resident set size in bytes (VmRSS), or 0 once gone. */
  rss(): number;
  kill(signal?: NodeJS.Signals): void;
}

export function tsemBin(): string {
  return join(repoRoot(), 'bin', 'tsem.js');
}

export function spawnTsem(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; stdin?: 'ignore' | 'pipe' } = {}
): TsemProcess {
  const child = spawn(process.execPath, [tsemBin(), ...args], {
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    wake();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    wake();
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      done = true;
      process.removeListener('exit', killOnExit);
      wake();
      resolve({ code, signal });
    })
  );
  return {
    child,
    pid: child.pid!,
    out: () => out,
    err: () => err,
    exited,
    async waitFor(re, ms = 20_000, stream = 'err') {
      const end = Date.now() + ms;
      for (;;) {
        const m = (stream === 'err' ? err : out).match(re);
        if (m) return m;
        if (done)
          throw new Error(`tsem ${args.join(' ')} exited before printing ${re}; stderr:\n${err}`);
        if (Date.now() > end)
          throw new Error(`tsem ${args.join(' ')}: no ${re} within ${ms} ms; stderr:\n${err}`);
        await new Promise<void>((resolve) => {
          const w = () => {
            waiters.delete(w);
            clearTimeout(t);
            resolve();
          };
          const t = setTimeout(w, 100);
          waiters.add(w);
        });
      }
    },
    rss() {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m ? Number(m[1]) * 1024 : 0;
      } catch {
        return 0;
      }
    },
    kill(signal = 'SIGTERM') {
      if (!done) child.kill(signal);
    },
  };
}

/** Seconds a long test runs: `env[name]`, else short in CI (CI=true), else longer by hand. */
export function testSeconds(name: string, ci: number, byHand: number): number {
  const v = Number(process.env[name]);
  if (Number.isFinite(v) && v > 0) return v;
  return process.env['CI'] === 'true' ? ci : byHand;
}
