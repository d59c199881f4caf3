/**
 * Maps one fanotify event to TSEM kernel-JSON events (tsem-model.md §1.2–1.4): the opened file's
 * CELL from the event fd (fstat, fstatfs, /proc/self/fd, content digest through the fd), and the
 * header and COE from /proc/PID while the process is held (permission events) or still alive.
 * The native reader reads the stat, the path and the process's facts itself, while the event
 * holds them; they are used as it read them (the verdict cache keyed its answer by them), and
 * read here only when it could not.
 */
import { fstatSync, readlinkSync } from 'node:fs';
import type { CoeJson, EventHeaderJson, JsonCell, TsemEventJson } from '../../proto/kernel-json.js';
import type { Mutable } from '../../common/mutable.js';
import {
  cleanFdPath,
  EXEC_FLAGS,
  fileCell,
  type FileStat,
  isRegular,
  O_LARGEFILE,
  usesZeroDigest,
} from '../host/file-cell.js';
import type { FileDigester } from '../host/file-digest.js';
import type { MountTable } from '../host/mountinfo.js';
import type { FanRawEvent, FanTaskFacts } from '../../native/addon.js';
import { capeffHex, type ProcessFacts, readProcessFacts, unknownCoe } from '../host/procfs.js';
import { isExecMask } from './fanotify-mask.js';

/** What an opened file looks like once read through its event fd. */
export interface OpenedFile {
  readonly stat: FileStat;
  readonly sMagic: number;
  readonly pathname: string;
  readonly regular: boolean;
}

export function inspectFd(
  fd: number,
  statfsType: (fd: number) => number,
  read?: FanRawEvent['stat']
): OpenedFile {
  if (read) {
    const { path, ...stat } = read;
    return {
      stat,
      sMagic: statfsType(fd),
      pathname: cleanFdPath(path),
      regular: isRegular(stat.mode),
    };
  }
  const s = fstatSync(fd, { bigint: true });
  const stat: FileStat = {
    dev: s.dev,
    ino: s.ino,
    mode: s.mode,
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    mtimeNs: s.mtimeNs,
    ctimeNs: s.ctimeNs,
  };
  return {
    stat,
    sMagic: statfsType(fd),
    pathname: cleanFdPath(readlinkSync(`/proc/self/fd/${fd}`)),
    regular: isRegular(s.mode),
  };
}

export interface MappedOpen {
  /** `file_open` of the file: flags 32800 (O_LARGEFILE|__FMODE_EXEC) for an exec, else 32768. */
  readonly fileOpen: TsemEventJson;
  /** For an exec: `bprm_committed_creds` carrying the exec'd file; the engine derives TASK_ID (§1.6, §2.5). */
  readonly exec?: TsemEventJson;
  /** The process had exited before its /proc entry was read: COE ids are unmapped. */
  readonly processGone: boolean;
}

export interface MapContext {
  readonly mounts: MountTable;
  readonly digester: FileDigester;
}

/** Builds the events of an open or exec; the caller has checked the file is regular. */
export async function mapOpen(
  raw: FanRawEvent,
  file: OpenedFile,
  ctx: MapContext
): Promise<MappedOpen> {
  const facts = raw.facts ? factsOf(raw.facts) : readProcessFacts(raw.pid);
  const digest = usesZeroDigest(file.stat, file.sMagic)
    ? ctx.digester.zero
    : await ctx.digester.ofFd(raw.fd, file.stat);
  const exec = isExecMask(raw.mask);
  // fanotify does not report the opener's flags: an exec's are fixed by the kernel (§2.5), an
  // open is reported as the O_RDONLY|O_LARGEFILE most opens have.
  const cell = fileCell(
    file.stat,
    file.sMagic,
    ctx.mounts,
    file.pathname,
    exec ? EXEC_FLAGS : O_LARGEFILE,
    digest
  );
  const coe = facts.coe ?? unknownCoe();
  // Field by field in the kernel's order (no spread: slow in Node 20, exporter/source.ts).
  const header = (type: string): EventHeaderJson => {
    const h: Partial<Mutable<EventHeaderJson>> = { pid: String(raw.pid) };
    if (facts.ppid !== undefined) h.ppid = String(facts.ppid);
    if (facts.start !== undefined) h.start = facts.start;
    h.process = facts.comm;
    h.type = type;
    h.ts = process.hrtime.bigint().toString();
    return h as EventHeaderJson;
  };
  return {
    fileOpen: buildEvent(header('file_open'), coe, 'file_open', { file: cell }),
    exec: exec
      ? buildEvent(header('bprm_committed_creds'), coe, 'bprm_committed_creds', { file: cell })
      : undefined,
    processGone: facts.coe === undefined,
  };
}

/** The reader's facts in the form /proc's readers give (ids in §1.3 order). */
export function factsOf(f: FanTaskFacts): ProcessFacts {
  const [uid, euid, suid, gid, egid, sgid, fsuid, fsgid] = f.ids.map(String);
  return {
    comm: f.comm,
    ppid: f.ppid,
    start: f.start,
    coe: {
      uid: uid!,
      euid: euid!,
      suid: suid!,
      gid: gid!,
      egid: egid!,
      sgid: sgid!,
      fsuid: fsuid!,
      fsgid: fsgid!,
      capeff: capeffHex(f.capeff),
    },
  };
}

function buildEvent(
  event: TsemEventJson['event'],
  coe: CoeJson,
  hook: string,
  cell: JsonCell
): TsemEventJson {
  return { event, COE: coe, [hook]: cell };
}
