/**
 * Starts the workload through the launcher helper (native/launch: cgroup placement, --unshare,
 * confinement steps, exec; launch-plan.ts builds its arguments) and follows it. The helper reports
 * on fd 3 ("fail STAGE ERRNO TEXT", "exit STATUS") and keeps the ended workload's zombie until fd 4
 * is closed by release(), so sources reading its /proc late still see its cgroup. The workload
 * shares tsem run's terminal and process group: a terminal's Ctrl-C reaches it directly; tsem run
 * stays alive through SIGINT and SIGQUIT and passes SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 on.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { getSystemErrorName } from 'node:util';
import {
  EXIT_LAUNCH_FAILED,
  type LaunchFailure,
  parseLaunchNotes,
  parseLaunchPid,
  parseLaunchReport,
} from '../../native/launcher.js';
import { LANDLOCK_FD } from './launch-plan.js';

/** The helper's report and hold fds: the first two after stdio. */
export const REPORT_FD = 3;
export const HOLD_FD = 4;

const FORWARDED = ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;
const SURVIVED = ['SIGINT', 'SIGQUIT'] as const;

export interface LaunchResult {
  /** The workload's exit status, or 128 + N when signal N ended it; 125-127 on a launch failure. */
  readonly status: number;
  /** Set when a step before the workload's exec failed. */
  readonly failure?: LaunchFailure;
  /** What the launcher's steps said ("note TEXT" lines), e.g. Landlock rules it had to skip. */
  readonly notes: readonly string[];
}

export interface Launched {
  /** Resolves when the workload has ended, or the launch failed. */
  readonly ended: Promise<LaunchResult>;
  /** Lets the helper reap the workload and exit; resolves once it has. Idempotent. */
  release(): Promise<void>;
}

/** One line for a failed launch step, e.g. "exec: No such file or directory (ENOENT)". */
export function describeFailure(f: LaunchFailure): string {
  let name = '';
  try {
    if (f.errno > 0) name = ` (${getSystemErrorName(-f.errno)})`;
  } catch {
    // unknown errno number: the text says enough
  }
  return `${f.stage}: ${f.text}${name}`;
}

/** "exit N" in the report, once the whole line is in. */
function exitStatus(report: string): number | undefined {
  const m = /^exit (\d+)\n/m.exec(report);
  return m ? Number(m[1]) : undefined;
}

/**
 * Starts the helper. `landlock`: the ruleset file, written to the helper's fd 5 (LANDLOCK_FD), which
 * it reads before its first step. `onWorkload`: called once with the workload's pid when the helper
 * reports it (not in a new pid namespace), before the workload's end is reported.
 */
export function launch(
  helper: string,
  helperArgs: readonly string[],
  landlock?: string,
  onWorkload?: (pid: number) => void
): Launched {
  const child = spawn(
    helper,
    [
      '--parent',
      String(process.pid),
      '--report-fd',
      String(REPORT_FD),
      '--hold-fd',
      String(HOLD_FD),
      ...helperArgs,
    ],
    {
      stdio: [
        'inherit',
        'inherit',
        'inherit',
        'pipe',
        'pipe',
        ...(landlock !== undefined ? (['pipe'] as const) : []),
      ],
    }
  );
  if (landlock !== undefined) {
    const rules = (child.stdio as unknown as (Writable | null)[])[LANDLOCK_FD]!;
    rules.on('error', () => undefined); // the helper reports a short ruleset itself
    rules.end(landlock);
  }
  const report = child.stdio[REPORT_FD] as Readable;
  const holdFd = child.stdio[HOLD_FD] as Writable;
  holdFd.on('error', () => undefined); // the helper may be gone already
  const forward = (sig: NodeJS.Signals) => () => {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  };
  const handlers = [
    ...FORWARDED.map((s) => [s, forward(s)] as const),
    ...SURVIVED.map((s) => [s, () => undefined] as const),
  ];
  for (const [s, h] of handlers) process.on(s, h);
  const unhandle = () => {
    for (const [s, h] of handlers) process.off(s, h);
  };

  let text = '';
  let resolveEnded!: (r: LaunchResult) => void;
  const ended = new Promise<LaunchResult>((r) => (resolveEnded = r));
  const end = (status: number) => {
    const failure = parseLaunchReport(text);
    const notes = parseLaunchNotes(text);
    resolveEnded(failure ? { status, failure, notes } : { status, notes });
  };
  let workload: number | undefined;
  report.on('data', (d: Buffer) => {
    if (text.length < 65536) text += d.toString('utf8');
    if (workload === undefined && (workload = parseLaunchPid(text)) !== undefined)
      onWorkload?.(workload);
    const status = exitStatus(text);
    if (status !== undefined) end(status);
  });
  const closed = new Promise<void>((resolve) => {
    child.on('error', (err) => {
      unhandle();
      text += `fail start-the-launcher 0 ${err.message}\n`;
      end(EXIT_LAUNCH_FAILED);
      resolve();
    });
    // 'close' comes after the report's end-of-file: the whole report is in.
    child.on('close', (code, signal) => {
      unhandle();
      end(
        exitStatus(text) ??
          code ??
          (signal ? 128 + (constants.signals[signal] ?? 0) : EXIT_LAUNCH_FAILED)
      );
      resolve();
    });
  });
  return {
    ended,
    release: () => {
      holdFd.end();
      return closed;
    },
  };
}
