/**
 * Landlock's access rights, scopes and flags as the kernel's uapi defines them (stable ABI bits),
 * with the ABI version that brought each (docs/landlock.md §2). Pure.
 */

/** File-system rights, bit positions of `LANDLOCK_ACCESS_FS_*`. */
export const FS_RIGHTS = {
  execute: 0,
  write_file: 1,
  read_file: 2,
  read_dir: 3,
  remove_dir: 4,
  remove_file: 5,
  make_char: 6,
  make_dir: 7,
  make_reg: 8,
  make_sock: 9,
  make_fifo: 10,
  make_block: 11,
  make_sym: 12,
  refer: 13,
  truncate: 14,
  ioctl_dev: 15,
} as const;
export type FsRight = keyof typeof FS_RIGHTS;

/** Network rights, `LANDLOCK_ACCESS_NET_*` (ABI 4). */
export const NET_RIGHTS = { bind_tcp: 0, connect_tcp: 1 } as const;
export type NetRight = keyof typeof NET_RIGHTS;

/** Scopes, `LANDLOCK_SCOPE_*` (ABI 6). */
export const SCOPES = { abstract_unix_socket: 0, signal: 1 } as const;
export type Scope = keyof typeof SCOPES;

/** landlock_restrict_self flag: keep logging denials of the workload after its exec (ABI 7). */
export const RESTRICT_SELF_LOG_NEW_EXEC_ON = 1 << 1;

/** The ABI version each right, scope or feature needs. */
export const FS_SINCE: Readonly<Record<FsRight, number>> = {
  execute: 1,
  write_file: 1,
  read_file: 1,
  read_dir: 1,
  remove_dir: 1,
  remove_file: 1,
  make_char: 1,
  make_dir: 1,
  make_reg: 1,
  make_sock: 1,
  make_fifo: 1,
  make_block: 1,
  make_sym: 1,
  refer: 2,
  truncate: 3,
  ioctl_dev: 5,
};
export const NET_SINCE = 4;
export const SCOPES_SINCE = 6;
export const LOGGING_SINCE = 7;
/** The highest ABI version this engine knows. */
export const KNOWN_ABI = 7;

/** Rights that apply to a file itself; the others apply to directories only. */
export const FILE_RIGHTS: readonly FsRight[] = [
  'execute',
  'write_file',
  'read_file',
  'truncate',
  'ioctl_dev',
];

export function fsMask(rights: Iterable<FsRight>): bigint {
  let m = 0n;
  for (const r of rights) m |= 1n << BigInt(FS_RIGHTS[r]);
  return m;
}

export function netMask(rights: Iterable<NetRight>): bigint {
  let m = 0n;
  for (const r of rights) m |= 1n << BigInt(NET_RIGHTS[r]);
  return m;
}

export function scopeMask(scopes: Iterable<Scope>): bigint {
  let m = 0n;
  for (const s of scopes) m |= 1n << BigInt(SCOPES[s]);
  return m;
}

/** Rights in bit order, so output is stable. */
export function sortFs(rights: Iterable<FsRight>): FsRight[] {
  return [...new Set(rights)].sort((a, b) => FS_RIGHTS[a] - FS_RIGHTS[b]);
}
