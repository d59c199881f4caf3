/**
 * Process facts from /proc: the COE (tsem-model.md §1.3) from /proc/PID/status, the parent pid
 * from /proc/PID/stat, and comm. The parsers are pure; the readers return undefined once the
 * process is gone (a notification event can outlive its process).
 */
import { readFileSync, readlinkSync } from 'node:fs';
import type { CoeJson } from '../../proto/kernel-json.js';

/** §1.3: an id the kernel cannot map shows as (u32)-1; used when the process has exited. */
export const UNMAPPED_ID = '4294967295';

/** COE from the Uid/Gid lines (real, effective, saved, fs) and CapEff of /proc/PID/status. */
export function parseStatusCoe(status: string): CoeJson | undefined {
  const field = (name: string): string[] | undefined => {
    const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status);
    return m ? m[1]!.trim().split(/\s+/) : undefined;
  };
  const uid = field('Uid');
  const gid = field('Gid');
  const cap = field('CapEff');
  if (
    uid?.length !== 4 ||
    gid?.length !== 4 ||
    cap?.length !== 1 ||
    !/^[0-9a-fA-F]+$/.test(cap[0]!)
  )
    return undefined;
  return {
    uid: uid[0]!,
    euid: uid[1]!,
    suid: uid[2]!,
    gid: gid[0]!,
    egid: gid[1]!,
    sgid: gid[2]!,
    fsuid: uid[3]!,
    fsgid: gid[3]!,
    capeff: capeffHex(BigInt(`0x${cap[0]!}`)),
  };
}

/** §1.3 prints capeff as `0x` and lowercase hex without leading zeros. */
export function capeffHex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** A COE for a process that is gone: ids unmapped, no capabilities. */
export function unknownCoe(): CoeJson {
  const u = UNMAPPED_ID;
  return { uid: u, euid: u, suid: u, gid: u, egid: u, sgid: u, fsuid: u, fsgid: u, capeff: '0x0' };
}

/** Parent pid from /proc/PID/stat; comm may hold spaces and ')', so fields resume after the last ')'. */
export function parseStatPpid(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** Start time (clock ticks since boot, field 22) from /proc/PID/stat: with the pid, it names one
 * process, so a reused pid is told apart. */
export function parseStatStart(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const start = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/)[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/** Who a live process is, for identities that must not be forged or confused with a reused pid. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Start time in clock ticks after boot (/proc/PID/stat field 22). */
  readonly start: string;
  /** The executable (/proc/PID/exe). */
  readonly exe: string;
  /** Real, effective, saved and filesystem uid. */
  readonly uids: readonly number[];
}

/** The identity of a live process, or undefined once it is gone (or not readable). */
export function readProcessIdentity(pid: number): ProcessIdentity | undefined {
  const stat = readProc(pid, 'stat');
  const status = readProc(pid, 'status');
  let exe: string;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
  const start = stat === undefined ? undefined : parseStatStart(stat);
  const uids = /^Uid:\s*(.*)$/m
    .exec(status ?? '')?.[1]
    ?.trim()
    .split(/\s+/)
    .map(Number);
  if (start === undefined || uids?.length !== 4) return undefined;
  return { pid, start, exe, uids };
}

/** A process's start time (as parseStatStart), also of a zombie; undefined once it is reaped. */
export function readProcessStart(pid: number): string | undefined {
  const stat = pid > 0 ? readProc(pid, 'stat') : undefined;
  return stat === undefined ? undefined : parseStatStart(stat);
}

function readProc(pid: number, name: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return undefined;
  }
}

export interface ProcessFacts {
  readonly comm: string;
  readonly ppid: number | undefined;
  readonly start: string | undefined;
  readonly coe: CoeJson | undefined;
}

/** Reads comm, ppid and the COE of a live process; fields are undefined once it has exited. */
export function readProcessFacts(pid: number): ProcessFacts {
  const comm = readProc(pid, 'comm')?.replace(/\n$/, '');
  const stat = readProc(pid, 'stat');
  const status = readProc(pid, 'status');
  return {
    comm: comm ?? '',
    ppid: stat !== undefined ? parseStatPpid(stat) : undefined,
    start: stat !== undefined ? parseStatStart(stat) : undefined,
    coe: status !== undefined ? parseStatusCoe(status) : undefined,
  };
}

/** CapEff of a live process as `0x` hex, or undefined once it has exited. */
export function readCapEff(pid: number): string | undefined {
  const status = readProc(pid, 'status');
  return status !== undefined ? parseStatusCoe(status)?.capeff : undefined;
}
