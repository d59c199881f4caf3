/**
 * The launcher helper's arguments for one run, in the order its pre-exec sequence applies them
 * (native/launch/launch.c): cgroup placement, Linux namespaces, confinement steps, then the
 * command. A confinement step adds its `tsem run` option to RunOptions, its helper argument in
 * confinementArgs(), and its step to native/launch/confine.c.
 */

export const UNSHARE_KINDS = ['mnt', 'pid', 'user', 'net'] as const;
export type UnshareKind = (typeof UNSHARE_KINDS)[number];

export interface LaunchPlan {
  /** The cgroup directory the workload joins right before exec. */
  readonly cgroupDir: string;
  readonly unshare: readonly UnshareKind[];
  readonly confinement: Confinement;
  /** The command and its arguments (PATH is searched). */
  readonly command: readonly string[];
}

/** Confinement steps, applied in the process that execs, after cgroup and namespaces. */
export interface Confinement {
  /** PR_SET_NO_NEW_PRIVS: exec grants no privileges (setuid, file capabilities). */
  readonly noNewPrivs: boolean;
  /** `tsem run --landlock`: the namespace's model compiled into a ruleset (docs/landlock.md). */
  readonly landlock: boolean;
}

/** The fd the launcher reads the Landlock ruleset from (after stdio, report and hold fds). */
export const LANDLOCK_FD = 5;

/** Parses `--unshare` values: comma lists of mnt, pid, user, net (repeatable). */
export function parseUnshare(values: readonly string[]): UnshareKind[] | string {
  const kinds = new Set<UnshareKind>();
  for (const v of values.flatMap((x) => x.split(','))) {
    if (!(UNSHARE_KINDS as readonly string[]).includes(v))
      return `--unshare expects a comma list of ${UNSHARE_KINDS.join(', ')}, got '${v}'`;
    kinds.add(v as UnshareKind);
  }
  return [...kinds];
}

export function confinementArgs(c: Confinement): string[] {
  return [
    ...(c.noNewPrivs || c.landlock ? ['--no-new-privs'] : []),
    ...(c.landlock ? ['--landlock-fd', String(LANDLOCK_FD)] : []),
  ];
}

export function helperArgs(plan: LaunchPlan): string[] {
  return [
    '--cgroup',
    plan.cgroupDir,
    ...(plan.unshare.length > 0 ? ['--unshare', plan.unshare.join(',')] : []),
    ...confinementArgs(plan.confinement),
    '--',
    ...plan.command,
  ];
}
