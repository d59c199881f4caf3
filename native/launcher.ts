/**
 * The canister launcher's helper executable (native/launch/, built by `npm ci` from binding.gyp
 * into build/Release/tsem-launch) and the protocol it speaks to `tsem run`: a failed pre-exec
 * step is one line "fail STAGE ERRNO TEXT" on the report fd, with exit status 125; a command that
 * cannot be executed ends it with 126, one not found with 127.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../common/errors.js';
import { packageRoot } from './addon.js';

export const LAUNCHER_RELATIVE = join('build', 'Release', 'tsem-launch');

/** Exit statuses of the launcher's own failures (env(1) and timeout(1) use the same). */
export const EXIT_LAUNCH_FAILED = 125;
export const EXIT_NOT_EXECUTABLE = 126;
export const EXIT_NOT_FOUND = 127;

/** The helper's path; a missing build is one clear error saying how to build it. */
export function launcherPath(): string {
  if (process.platform !== 'linux')
    throw new EngineError('TSEM_UNAVAILABLE', `tsem run needs Linux, this is ${process.platform}`);
  const file = join(packageRoot(), LAUNCHER_RELATIVE);
  if (!existsSync(file))
    throw new EngineError(
      'TSEM_UNAVAILABLE',
      `the canister launcher ${LAUNCHER_RELATIVE} is missing: run \`npm ci\` (node-gyp builds it from binding.gyp; needs make and a C compiler)`
    );
  return file;
}

export interface LaunchFailure {
  /** The step that failed: cgroup, unshare, user namespace, mount namespace, exec, ... */
  readonly stage: string;
  readonly errno: number;
  readonly text: string;
}

/** The "note TEXT" lines the helper wrote on its report fd (at most `max`). */
export function parseLaunchNotes(report: string, max = 50): string[] {
  const out: string[] = [];
  for (const line of report.split('\n')) {
    if (line.startsWith('note ') && out.length < max) out.push(line.slice(5));
  }
  return out;
}

/** The workload's pid from the helper's "pid PID" line, once that whole line is in. */
export function parseLaunchPid(report: string): number | undefined {
  const m = /^pid ([1-9]\d*)\n/m.exec(report);
  return m ? Number(m[1]) : undefined;
}

/** The first failure line in what the helper wrote on its report fd, if any. */
export function parseLaunchReport(report: string): LaunchFailure | undefined {
  for (const line of report.split('\n')) {
    const m = /^fail (.+?) (\d+) (.*)$/.exec(line);
    if (m) return { stage: m[1]!, errno: Number(m[2]), text: m[3]! };
  }
  return undefined;
}
