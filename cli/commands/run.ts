/**
 * `tsem run`: runs a command in its own canister, modeled from its first instruction. The steps:
 * remove empty cgroups left by killed runs; create the canister's cgroup (or take --cgroup/--unit);
 * register it with the engine (Control.RunCanister: the namespace is made ready and the cgroup's
 * events are routed to it); start the launcher helper, which places the command in the cgroup
 * (after --unshare and before confinement steps and exec); wait; kill what is left in the cgroup;
 * finish the canister (the engine waits for its last events, stores a learn run's model under the
 * label, drops a namespace created for nothing); remove the cgroup. Exit status: the command's.
 */
import { hostname } from 'node:os';
import { cgroup2Mount } from '../../exporter/host/cgroup.js';
import { readProcessStart } from '../../exporter/host/procfs.js';
import { launcherPath } from '../../native/launcher.js';
import { connect, isReportable, type TsemClients } from '../client.js';
import type { Command, Io } from '../command.js';
import { type ParsedArgs, UsageError } from '../args.js';
import {
  type CanisterCgroup,
  createCanisterCgroup,
  emptyCgroup,
  existingCgroup,
  removeCgroup,
  sweepStaleCanisters,
  unitCgroupPath,
} from '../run/canister-cgroup.js';
import { CanisterSession } from '../run/canister-session.js';
import { describeFailure, launch, type Launched } from '../run/launch.js';
import { helperArgs } from '../run/launch-plan.js';
import { RunError } from '../run/run-error.js';
import { landlockRuleset, requireLandlock } from '../run/run-landlock.js';
import { parseRunOptions, RUN_OPTIONS, type RunOptions } from '../run/run-options.js';
import { formatRunSummary, runSummary } from '../run/run-summary.js';

const DETAILS = `Places COMMAND in its own cgroup (cgroup v2) before its first instruction and registers that
cgroup with the engine, so every event of its processes (fanotify and audit sources, in the engine
or in exporters on this host) goes to the namespace, in any mode; with --mode enforce and a model,
off-model opens and execs are denied where the source holds them (fanotify --enforce).

--landlock confines the workload in the kernel by its namespace's sealed model, compiled into a
Landlock ruleset (tsem model landlock shows it): execs, reads and writes of files and TCP ports
outside the model fail with EACCES from the kernel itself, for every process of the workload, even
with the engine stopped. Denials reach audit; the audit source reports them as forensics.

--label LABEL names the namespace LABEL. When that namespace does not exist it is created from the
label's stored model (sealed), else in learn mode; a learn-mode run stores its model under the label
when it ends (--no-save: not). Stored models: tsem label list|export|save|delete.

The launcher dies with tsem run and takes the workload with it; when the workload ends, processes
it left in the cgroup are killed and the cgroup removed. With --cgroup PATH or --unit UNIT the
workload joins an existing cgroup (every process in it is modeled in the namespace) that is left
as it is. --unshare mnt needs fanotify filesystem marks (a mount mark does not follow the mount
into a new mount namespace).

Exit status: the command's (128+N when signal N ended it); 125 when tsem run itself failed (usage,
a model file, no cgroup v2 hierarchy, the engine unreachable), 126 when the command could not be
executed (also when the model denied its exec), 127 when it was not found.
SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 are passed on; a terminal's SIGINT and SIGQUIT reach it directly.`;

function cgroupOf(opts: RunOptions, mount: string): Promise<CanisterCgroup> | CanisterCgroup {
  if (opts.unit !== undefined)
    return unitCgroupPath(opts.unit).then((path) => existingCgroup(mount, path));
  if (opts.cgroup !== undefined) return existingCgroup(mount, opts.cgroup);
  return createCanisterCgroup(mount, opts.label ?? opts.namespace!);
}

async function runCanister(args: ParsedArgs, io: Io): Promise<number> {
  const opts = parseRunOptions(args);
  const warn = (m: string) => io.err(`tsem run: ${m}\n`);
  const mount = cgroup2Mount();
  if (mount === undefined)
    throw new RunError(
      'no cgroup v2 hierarchy is mounted (no cgroup2 entry in /proc/self/mountinfo): a canister is a cgroup v2 cgroup; mount one (mount -t cgroup2 none /sys/fs/cgroup/unified on a hybrid host)'
    );
  const helper = launcherPath();
  // No Landlock here: a clear error before anything is created.
  const landlockAbi = opts.confinement.landlock ? requireLandlock() : undefined;
  const swept = sweepStaleCanisters(mount);
  if (swept.removed.length > 0 && !opts.quiet)
    warn(`removed ${swept.removed.length} empty canister cgroup(s) left by killed runs`);
  for (const p of swept.busy) warn(`${p} is left by a run that is gone but still has processes`);

  const cg = await cgroupOf(opts, mount);
  let clients: TsemClients | undefined;
  let session: CanisterSession | undefined;
  let launched: Launched | undefined;
  try {
    clients = await connect(args);
    session = await CanisterSession.open(
      clients,
      {
        host: hostname(),
        cgroup_id: cg.id,
        cgroup_path: cg.path,
        namespace: opts.namespace ?? '',
        label: opts.label ?? '',
        mode: opts.mode,
        model: opts.model ?? '',
        model_signature: opts.modelSignature ?? '',
        digest: opts.digest ?? '',
        command: opts.command.join(' '),
      },
      warn
    ).catch((err: unknown) => {
      throw new RunError(`cannot register the canister with the engine: ${(err as Error).message}`);
    });
    const rules =
      landlockAbi !== undefined
        ? await landlockRuleset(clients, session.started.namespace, landlockAbi, warn, opts.quiet)
        : undefined;
    launched = launch(
      helper,
      helperArgs({
        cgroupDir: cg.dir,
        unshare: opts.unshare,
        confinement: opts.confinement,
        command: opts.command,
      }),
      rules,
      (pid) => {
        // Read while the helper holds the workload (alive or a zombie): this very process.
        const start = readProcessStart(pid);
        if (start !== undefined) session?.launched({ pid, start_time: start });
      }
    );
    const result = await launched.ended;
    for (const n of result.notes) warn(n);
    if (cg.owned && !(await emptyCgroup(cg.dir)))
      warn(`processes left in ${cg.path} did not exit after SIGKILL`);
    const finished = await session
      .finish({ exit_status: result.status, save_label: opts.saveLabel, settle_ms: opts.settleMs })
      .catch((err: unknown) => {
        throw new RunError(
          `the command exited ${result.status}, but the engine did not finish the canister (its model may miss events): ${(err as Error).message}`
        );
      });
    // The workload's zombie was kept until now: sources reading its /proc late found the cgroup.
    await launched.release();
    if (result.failure) warn(describeFailure(result.failure));
    const summary = runSummary(session.started, finished, cg.path, opts.label, result.status);
    if (opts.json) io.err(JSON.stringify(summary) + '\n');
    else if (!opts.quiet && !result.failure) io.err(formatRunSummary(summary));
    return result.status;
  } finally {
    await launched?.release();
    session?.close();
    clients?.close();
    if (cg.owned) {
      await emptyCgroup(cg.dir);
      if (!removeCgroup(cg)) warn(`could not remove ${cg.path}; the next tsem run removes it`);
    }
  }
}

export const commands: Command[] = [
  {
    usageStatus: 125,
    spec: {
      name: 'run',
      summary: 'run a command in a canister: its own cgroup, modeled in a namespace or label',
      usage: '(--namespace NS | --label LABEL) -- COMMAND [ARG...]',
      positionals: [0, Number.MAX_SAFE_INTEGER],
      options: RUN_OPTIONS,
      details: DETAILS,
    },
    async run(args, io) {
      try {
        return await runCanister(args, io);
      } catch (err) {
        if (err instanceof RunError) {
          io.err(`tsem run: ${err.message}\n`);
          return err.status;
        }
        if (err instanceof UsageError) throw err; // main prints the usage, status 125
        io.err(
          `tsem run: ${isReportable(err) ? '' : 'internal error: '}${(err as Error).message}\n`
        );
        return 125;
      }
    },
  },
];
