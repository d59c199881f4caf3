/**
 * Prompt shutdown for the long-running programs (`tsem serve`, `tsem demo`, `tsem export`): the
 * first SIGTERM or SIGINT starts the graceful stop (sources stop, held events are answered by the
 * fail mode, what was acknowledged is flushed, kernel state is removed); if that has not finished
 * within the deadline, or a second signal comes, the process exits at once. Exiting at once still
 * removes kernel state: the sources' synchronous `exit` handlers delete their audit rules and
 * close fanotify groups (answering held events), and the daemon registry entry is removed.
 */

/** The graceful stop must end within this; the process exits at once after it. */
export const SHUTDOWN_DEADLINE_MS = 1500;

export interface ShutdownOptions {
  /** Log line sink (stderr by default). */
  readonly log: (msg: string) => void;
  readonly deadlineMs?: number;
  /** Test seam: how the process ends (default process.exit). */
  readonly exit?: (code: number) => void;
}

const SIGNAL_NUMBER: Readonly<Record<string, number>> = { SIGINT: 2, SIGTERM: 15 };

/**
 * Resolves with the first SIGTERM/SIGINT's name; from then on, the deadline or a second signal
 * ends the process with 128 + the signal's number. Call dispose() once the graceful stop is done.
 */
export interface ShutdownSignals {
  readonly signalled: Promise<string>;
  dispose(): void;
}

export function shutdownSignals(opts: ShutdownOptions): ShutdownSignals {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let first: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let resolve!: (sig: string) => void;
  const signalled = new Promise<string>((r) => (resolve = r));
  const handler = (sig: NodeJS.Signals): void => {
    const code = 128 + (SIGNAL_NUMBER[sig] ?? 15);
    if (first !== undefined) {
      opts.log(`${sig} again: exiting now`);
      exit(code);
      return;
    }
    first = sig;
    const deadline = opts.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
    timer = setTimeout(() => {
      opts.log(`graceful stop did not finish within ${deadline} ms: exiting now`);
      exit(code);
    }, deadline);
    timer.unref();
    resolve(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signalled,
    dispose() {
      clearTimeout(timer);
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
