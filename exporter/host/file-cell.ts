/**
 * Builds the `file` CELL structure (tsem-model.md §1.4) of an opened file from fstat, the
 * superblock magic, the mount table and the content digest: `{flags, inode, path, digest}`.
 */
import type { JsonCell } from '../../proto/kernel-json.js';
import { devMajor, devMinor, type MountTable, superblockId } from './mountinfo.js';

/** The fstat fields the CELL uses (bigint stat, so st_dev and st_ino keep every bit). */
export interface FileStat {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/** O_LARGEFILE: forced on every open of a 64-bit process (force_o_largefile). */
export const O_LARGEFILE = 0o100000;
/** __FMODE_EXEC: set in f_flags of the file an execve opens; 32800 in the samples (§2.5). */
export const FMODE_EXEC = 0x20;
export const EXEC_FLAGS = O_LARGEFILE | FMODE_EXEC;

export const TMPFS_MAGIC = 0x01021994;
const S_IFMT = 0o170000n;
const S_IFREG = 0o100000n;

/** §1.1 pseudo-filesystem magic numbers: PROC, SYSFS, DEBUGFS, TMPFS, DEVPTS, BINFMTFS, SECURITYFS,
 * SELINUX, SMACK, CGROUP, CGROUP2, NSFS, EFIVARFS. */
export const PSEUDO_FS_MAGICS: ReadonlySet<number> = new Set([
  0x9fa0,
  0x62656572,
  0x64626720,
  TMPFS_MAGIC,
  0x1cd1,
  0x42494e4d,
  0x73636673,
  0xf97cff8c,
  0x43415d53,
  0x27e0eb,
  0x63677270,
  0x6e736673,
  0xde5e81e4,
]);

/** Pseudo filesystems whose root has no rename operation: the kernel omits `dev` (§1.4). tmpfs has it. */
const NO_DEV_MAGICS: ReadonlySet<number> = new Set(
  [...PSEUDO_FS_MAGICS].filter((m) => m !== TMPFS_MAGIC)
);

export function isRegular(mode: bigint): boolean {
  return (mode & S_IFMT) === S_IFREG;
}

/** §1.5: the content digest is the zero digest (HF of nothing) for pseudo-fs, non-regular or empty files. */
export function usesZeroDigest(st: FileStat, sMagic: number): boolean {
  return PSEUDO_FS_MAGICS.has(sMagic) || !isRegular(st.mode) || st.size === 0n;
}

/** §1.4 inode: uid/gid decimal, mode `0` + octal, s_magic `0x` hex, s_id, s_uuid 32 hex. */
export function inodeCell(st: FileStat, sMagic: number, mounts: MountTable): JsonCell {
  const major = devMajor(st.dev);
  const minor = devMinor(st.dev);
  return {
    uid: st.uid.toString(),
    gid: st.gid.toString(),
    mode: `0${st.mode.toString(8)}`,
    s_magic: `0x${sMagic.toString(16)}`,
    s_id: superblockId(mounts.byDevice(major, minor)),
    s_uuid: mounts.uuid(major, minor),
  };
}

/** §1.4 path: dev major/minor of st_dev (absent on pseudo filesystems), type "root", pathname. */
export function pathCell(st: FileStat, sMagic: number, pathname: string): JsonCell {
  if (NO_DEV_MAGICS.has(sMagic)) return { type: 'root', pathname };
  return {
    dev: { major: String(devMajor(st.dev)), minor: String(devMinor(st.dev)) },
    type: 'root',
    pathname,
  };
}

export function fileCell(
  st: FileStat,
  sMagic: number,
  mounts: MountTable,
  pathname: string,
  flags: number,
  digestHex: string
): JsonCell {
  return {
    flags: String(flags),
    inode: inodeCell(st, sMagic, mounts),
    path: pathCell(st, sMagic, pathname),
    digest: digestHex,
  };
}

/** The open file's path as /proc/self/fd shows it, without the " (deleted)" marker. */
export function cleanFdPath(link: string): string {
  return link.endsWith(' (deleted)') ? link.slice(0, -' (deleted)'.length) : link;
}
