/**
 * Which IMA policy func a TSEM event stands for (ima.md §3.1 hook-to-func table), and the policy
 * context of the access taken from the event's COE and file CELL. Pure: no I/O.
 *
 * - `file_open` with `__FMODE_EXEC` in its flags is the exec's open: BPRM_CHECK, MAY_EXEC.
 * - any other `file_open` is FILE_CHECK with the MAY_* bits of its open mode.
 * - `mmap_file` of a file with PROT_EXEC is MMAP_CHECK, MAY_EXEC.
 * - `bprm_committed_creds` maps to nothing: the exec's file_open was already counted.
 */
import type { TsemEvent } from '../event/event.js';
import type { Coe, File } from '../event/structures.js';
import type { Credentials, PolicyContext } from '../ima/policy-match.js';
import { MAY } from '../ima/policy-rule.js';

/** include/linux/fs.h: set in f_flags of the file an exec opens. */
export const FMODE_EXEC = 0x20;
const O_ACCMODE = 0x3;
const O_WRONLY = 0x1;
const O_RDWR = 0x2;
const O_APPEND = 0x400;
/** include/uapi/asm-generic/mman-common.h */
export const PROT_EXEC = 0x4;
/** include/uapi/linux/capability.h */
const CAP_SETGID = 6n;
const CAP_SETUID = 7n;

/** One file access IMA evaluates: the policy context plus what identifies the file. */
export interface FileAccess extends PolicyContext {
  /** The path as the source reported it (UTF-8). */
  readonly path: string;
  /** MKDEV(major, minor) when the source reported the device, else 0. */
  readonly dev: number;
  /** The CELL digest: the file's contents hashed with the namespace's digest. */
  readonly digest: Buffer;
}

/** The open's MAY_* bits (fs/namei.c ACC_MODE, plus MAY_APPEND for O_APPEND as do_open does). */
export function openMask(flags: number): number {
  const acc = flags & O_ACCMODE;
  let mask =
    acc === O_WRONLY
      ? MAY.MAY_WRITE!
      : acc === O_RDWR
        ? MAY.MAY_READ! | MAY.MAY_WRITE!
        : MAY.MAY_READ!;
  if (flags & O_APPEND) mask |= MAY.MAY_APPEND!;
  return mask;
}

function credentials(coe: Coe): Credentials {
  const bit = (cap: bigint) => ((coe.capeff >> cap) & 1n) === 1n;
  return {
    uid: coe.uid,
    euid: coe.euid,
    suid: coe.suid,
    gid: coe.gid,
    egid: coe.egid,
    sgid: coe.sgid,
    capSetuid: bit(CAP_SETUID),
    capSetgid: bit(CAP_SETGID),
  };
}

/** 32 hex characters as the kernel prints a UUID (%pU), which is what `fsuuid=` compares. */
function uuidText(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function access(file: File, coe: Coe, func: FileAccess['func'], mask: number): FileAccess {
  const dev = file.path.dev ? ((file.path.dev.major << 20) | file.path.dev.minor) >>> 0 : 0;
  return {
    func,
    mask,
    cred: credentials(coe),
    fsmagic: file.inode.s_magic,
    fsuuid: uuidText(file.inode.s_uuid),
    // fowner/fgroup compare the inode's owner (ima_match_rules uses i_uid/i_gid).
    fowner: file.inode.uid,
    fgroup: file.inode.gid,
    path: file.path.pathname.toString('utf8'),
    dev,
    digest: file.digest,
  };
}

/** The IMA access an event stands for, or undefined when no IMA func covers it. */
export function fileAccessOf(event: TsemEvent): FileAccess | undefined {
  const cell = event.cell;
  switch (cell.hook) {
    case 'file_open': {
      const f = cell.value.file;
      if (f.flags & FMODE_EXEC) return access(f, event.coe, 'BPRM_CHECK', MAY.MAY_EXEC!);
      return access(f, event.coe, 'FILE_CHECK', openMask(f.flags));
    }
    case 'mmap_file': {
      const f = cell.value.file;
      if (!f || (cell.value.prot & PROT_EXEC) === 0) return undefined;
      return access(f, event.coe, 'MMAP_CHECK', MAY.MAY_EXEC!);
    }
    default:
      return undefined;
  }
}
