/**
 * Fits a compiled ruleset to the running kernel's Landlock ABI version, best effort: rights,
 * scopes and flags the kernel lacks are dropped and each drop is named (docs/landlock.md §4), and
 * writes the ruleset file the canister launcher reads (native/launch/landlock.c). Pure.
 */
import type { CompiledRuleset } from './compile.js';
import {
  FS_SINCE,
  type FsRight,
  fsMask,
  KNOWN_ABI,
  LOGGING_SINCE,
  NET_SINCE,
  netMask,
  RESTRICT_SELF_LOG_NEW_EXEC_ON,
  scopeMask,
  SCOPES_SINCE,
} from './rights.js';

export interface FittedRuleset {
  /** The ABI version the ruleset was fitted to (at most KNOWN_ABI). */
  readonly abi: number;
  readonly ruleset: CompiledRuleset;
  readonly restrictFlags: number;
  /** What was dropped for an older kernel, one sentence each. */
  readonly dropped: readonly string[];
}

export function fitToAbi(r: CompiledRuleset, kernelAbi: number): FittedRuleset {
  if (!Number.isInteger(kernelAbi) || kernelAbi < 1)
    throw new RangeError(`Landlock ABI version must be a whole number >= 1, got ${kernelAbi}`);
  const abi = Math.min(kernelAbi, KNOWN_ABI);
  const dropped: string[] = [];
  const keep = (x: FsRight) => FS_SINCE[x] <= abi;
  const lostFs = r.handledFs.filter((x) => !keep(x));
  if (lostFs.length > 0)
    dropped.push(`${lostFs.join(', ')}: not in Landlock ABI ${abi}, left unchecked`);
  const net = abi >= NET_SINCE;
  if (!net && r.handledNet.length > 0)
    dropped.push(`TCP bind and connect rules need ABI ${NET_SINCE}: network left unchecked`);
  const scopes = abi >= SCOPES_SINCE;
  if (!scopes && r.scoped.length > 0)
    dropped.push(`scopes (${r.scoped.join(', ')}) need ABI ${SCOPES_SINCE}: not applied`);
  const logging = abi >= LOGGING_SINCE;
  if (!logging)
    dropped.push(
      `logging denials after exec needs ABI ${LOGGING_SINCE}: the workload's denials do not reach audit`
    );
  return {
    abi,
    restrictFlags: logging ? RESTRICT_SELF_LOG_NEW_EXEC_ON : 0,
    dropped,
    ruleset: {
      ...r,
      handledFs: r.handledFs.filter(keep),
      handledNet: net ? r.handledNet : [],
      scoped: scopes ? r.scoped : [],
      paths: r.paths
        .map((p) => ({ ...p, access: p.access.filter(keep) }))
        .filter((p) => p.access.length > 0),
      ports: net ? r.ports : [],
    },
  };
}

function hex(m: bigint): string {
  return `0x${m.toString(16)}`;
}

/** The launcher's ruleset file (format in native/launch/landlock.c). */
export function launcherRulesetFile(f: FittedRuleset): string {
  const r = f.ruleset;
  const lines = [
    'tsem-landlock 1',
    `abi ${f.abi}`,
    `fs ${hex(fsMask(r.handledFs))}`,
    ...(f.abi >= NET_SINCE ? [`net ${hex(netMask(r.handledNet))}`] : []),
    ...(f.abi >= SCOPES_SINCE ? [`scoped ${hex(scopeMask(r.scoped))}`] : []),
    `restrict 0x${f.restrictFlags.toString(16)}`,
  ];
  for (const p of r.paths)
    lines.push(`path ${hex(fsMask(p.access))} ${Buffer.from(p.path, 'utf8').toString('hex')}`);
  for (const p of r.ports) lines.push(`port ${hex(netMask(p.access))} ${p.port}`);
  return `${lines.join('\n')}\n`;
}
