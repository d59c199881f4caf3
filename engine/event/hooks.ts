/**
 * The hook catalogue (tsem-model.md §1.1) and the typed CELL of each hook (§1.4). Hooks without a
 * known layout parse as `generic` (their CELL content is kept but not typed) and map with the
 * generic form of §2.3.
 */
import {
  base64,
  digest,
  type Infer,
  object,
  optional,
  rawBytes,
  type Schema,
  u32,
  u64,
} from './schema.js';
import { ADDR, CREDS, DENTRY, FILE, INODE, PATH, PERM, SOCK } from './structures.js';

/** §1.1, v3/v4/TSEM-6.12 names in ordinal order, then the post-v4 additions. */
export const HOOK_NAMES = [
  'undefined',
  'bprm_committed_creds',
  'task_kill',
  'task_setpgid',
  'task_getpgid',
  'task_getsid',
  'task_setnice',
  'task_setioprio',
  'task_getioprio',
  'task_prlimit',
  'task_setrlimit',
  'task_setscheduler',
  'task_getscheduler',
  'task_prctl',
  'file_open',
  'mmap_file',
  'file_ioctl',
  'file_lock',
  'file_fcntl',
  'file_receive',
  'unix_stream_connect',
  'unix_may_send',
  'socket_create',
  'socket_connect',
  'socket_bind',
  'socket_accept',
  'socket_listen',
  'socket_socketpair',
  'socket_sendmsg',
  'socket_recvmsg',
  'socket_getsockname',
  'socket_getpeername',
  'socket_setsockopt',
  'socket_shutdown',
  'ptrace_traceme',
  'kernel_module_request',
  'kernel_load_data',
  'kernel_read_file',
  'sb_mount',
  'sb_umount',
  'sb_remount',
  'sb_pivotroot',
  'sb_statfs',
  'move_mount',
  'shm_associate',
  'shm_shmctl',
  'shm_shmat',
  'sem_associate',
  'sem_semctl',
  'sem_semop',
  'syslog',
  'settime',
  'quotactl',
  'quota_on',
  'msg_queue_associate',
  'msg_queue_msgctl',
  'msg_queue_msgsnd',
  'msg_queue_msgrcv',
  'ipc_permission',
  'key_alloc',
  'key_permission',
  'netlink_send',
  'inode_create',
  'inode_link',
  'inode_unlink',
  'inode_symlink',
  'inode_mkdir',
  'inode_rmdir',
  'inode_mknod',
  'inode_rename',
  'inode_setattr',
  'inode_getattr',
  'inode_setxattr',
  'inode_getxattr',
  'inode_listxattr',
  'inode_removexattr',
  'inode_killpriv',
  'tun_dev_create',
  'tun_dev_attach_queue',
  'tun_dev_attach',
  'tun_dev_open',
  'bpf',
  'bpf_map',
  'bpf_prog',
  'ptrace_access_check',
  'capable',
  'capget',
  'capset',
  // post-v4 (2025) development tree
  'file_ioctl_compat',
  'file_truncate',
  'task_alloc',
  'bprm_check_security',
  'cred_prepare',
  'path_truncate',
  'path_unlink',
  'path_mkdir',
  'path_rmdir',
  'path_symlink',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];
const HOOK_SET: ReadonlySet<string> = new Set(HOOK_NAMES);
export function isHookName(s: string): s is HookName {
  return HOOK_SET.has(s);
}

const task = digest;
const fileCmd = object({ file: FILE, cmd: u32 });
const sockOnly = object({ sock: SOCK });
const sockAddr = object({ sock: SOCK, addr: ADDR });
const sockPair = (a: string, b: string) =>
  object({ [a]: SOCK, [b]: SOCK }) as Schema<Record<string, Infer<typeof SOCK>>>;
const dirDentry = object({ dir: INODE, dentry: DENTRY });
const dentryOnly = object({ dentry: DENTRY });
const ipc = (value: string) =>
  object({ perm: PERM, [value]: u32 }) as Schema<
    { perm: Infer<typeof PERM> } & Record<string, number>
  >;

/** CELL schemas of the hooks with a known layout (§1.4, §2.3). */
export const CELL_SCHEMAS = {
  bprm_committed_creds: object({ file: FILE }),
  file_open: object({ file: FILE }),
  file_receive: object({ file: FILE }),
  file_ioctl: fileCmd,
  file_ioctl_compat: fileCmd,
  file_lock: fileCmd,
  file_fcntl: fileCmd,
  mmap_file: object({ file: optional(FILE), prot: u32, flags: u32 }),
  capable: object({ cap: u32, opts: u32 }),
  capget: object({ target: task, effective: u64, inheritable: u64, permitted: u64 }),
  capset: object({ effective: u64, inheritable: u64, permitted: u64 }),
  task_prctl: object({ option: u32, arg2: u64, arg3: u64, arg4: u64, arg5: optional(u64) }),
  task_setpgid: object({ task, source: task }),
  task_getpgid: object({ task }),
  task_getsid: object({ task }),
  task_getioprio: object({ task }),
  task_setscheduler: object({ task }),
  task_getscheduler: object({ task }),
  task_setnice: object({ task, nice: u32 }),
  task_setioprio: object({ task, ioprio: u32 }),
  task_kill: object({ target: task, sig: u32, cross_ns: u32 }),
  task_setrlimit: object({ task, new_rlim: object({ resource: u32, current: u64, max: u64 }) }),
  task_prlimit: object({ cred: CREDS, tcred: CREDS, flags: optional(u32) }),
  ptrace_access_check: object({ child: task, mode: u32 }),
  ptrace_traceme: object({ source: task }),
  socket_create: object({ family: u32, type: u32, protocol: u32, kern: u32 }),
  socket_connect: sockAddr,
  socket_bind: sockAddr,
  socket_accept: sockAddr,
  socket_sendmsg: object({ sock: SOCK, addr: optional(ADDR) }),
  socket_recvmsg: object({ sock: SOCK, addr: optional(ADDR) }),
  socket_getsockname: sockOnly,
  socket_getpeername: sockOnly,
  tun_dev_attach_queue: sockOnly,
  socket_listen: object({ sock: SOCK, backlog: u32 }),
  socket_shutdown: object({ sock: SOCK, how: u32 }),
  socket_setsockopt: object({ sock: SOCK, level: u32, optname: u32 }),
  unix_stream_connect: sockPair('sock', 'other'),
  unix_may_send: sockPair('sock', 'other'),
  socket_socketpair: sockPair('socka', 'sockb'),
  netlink_send: object({
    sock: SOCK,
    uid: u32,
    gid: u32,
    portid: u32,
    dst_group: u32,
    nsid_set: u32,
    nsid: optional(u32),
  }),
  inode_create: object({ dir: INODE, dentry: DENTRY, mode: u32 }),
  inode_mkdir: object({ dir: INODE, dentry: DENTRY, mode: u32 }),
  inode_mknod: object({
    dir: INODE,
    dentry: DENTRY,
    mode: u32,
    dev: object({ major: u32, minor: u32 }),
  }),
  inode_symlink: object({ dir: INODE, dentry: DENTRY, old_name: rawBytes }),
  inode_unlink: dirDentry,
  inode_rmdir: dirDentry,
  inode_link: object({ old_dentry: DENTRY, dir: INODE, new_dentry: DENTRY }),
  inode_rename: object({ old_dir: INODE, old_dentry: DENTRY, new_dir: INODE, new_dentry: DENTRY }),
  inode_setattr: object({
    dentry: DENTRY,
    attr: object({ valid: u32, mode: u32, uid: u32, gid: u32, size: u64 }),
  }),
  // TSEM-6.12 emits inode_getattr as {"path": {"inode": {}, "path": {}}} (§1.4).
  inode_getattr: object({ path: DENTRY }),
  inode_setxattr: object({ dentry: DENTRY, name: rawBytes, value: base64, flags: u32 }),
  inode_getxattr: object({ dentry: DENTRY, name: rawBytes }),
  inode_removexattr: object({ dentry: DENTRY, name: rawBytes }),
  inode_listxattr: dentryOnly,
  inode_killpriv: dentryOnly,
  sb_statfs: dentryOnly,
  quota_on: dentryOnly,
  sb_mount: object({
    dev_name: optional(rawBytes),
    path: PATH,
    type: optional(rawBytes),
    flags: u64,
  }),
  sb_umount: object({ mnt: DENTRY, flags: u32 }),
  sb_remount: object({ dentry: DENTRY, fstype: rawBytes, s_flags: u64 }),
  sb_pivotroot: object({ old_path: PATH, new_path: PATH }),
  move_mount: object({ from_path: PATH, to_path: PATH }),
  quotactl: object({
    cmds: u32,
    type: u32,
    id: u32,
    dentry: DENTRY,
    fstype: rawBytes,
    s_flags: u64,
  }),
  // IPC CELLs (§2.3, CODE): the value field is named after the hook's argument.
  shm_associate: ipc('shmflg'),
  shm_shmctl: ipc('cmd'),
  shm_shmat: ipc('shmflg'),
  sem_associate: ipc('semflg'),
  sem_semctl: ipc('cmd'),
  sem_semop: object({ perm: PERM, nsops: u32, alter: u32 }),
  msg_queue_associate: ipc('msqflg'),
  msg_queue_msgctl: ipc('cmd'),
  msg_queue_msgsnd: ipc('msqflg'),
  msg_queue_msgrcv: object({ perm: PERM, target: task, type: u64, mode: u32 }),
  ipc_permission: object({ perm: PERM, flag: u32 }),
  kernel_module_request: object({ kmod_name: rawBytes }),
  kernel_load_data: object({ id: u32, contents: u32 }),
  kernel_read_file: object({ file: FILE, id: u32, contents: u32 }),
  key_alloc: object({ cred: CREDS, flags: u64 }),
  key_permission: object({
    key_ref: object({ possessed: u32, uid: u32, gid: u32, flags: u64 }),
    cred: CREDS,
    perm: u32,
  }),
  settime: object({
    ts: optional(object({ seconds: u64, nsecs: u64 })),
    tz: optional(object({ minuteswest: u32, dsttime: u32 })),
  }),
  syslog: object({ type: u32 }),
  bpf: object({ cmd: u32, attr: optional(object({ size: u32 })) }),
  bpf_map: object({ map: object({ map_type: u32, fmode: u32 }) }),
  bpf_prog: object({ prog: object({ type: u32, attach_type: u32 }) }),
} satisfies Partial<Record<HookName, Schema<unknown>>>;

export type DetailedHook = keyof typeof CELL_SCHEMAS;
export type CellOf<H extends DetailedHook> = Infer<(typeof CELL_SCHEMAS)[H]>;

/** A typed CELL: a hook with a known layout and its parsed fields, or a generic one. */
export type Cell =
  | { [H in DetailedHook]: { readonly hook: H; readonly value: CellOf<H> } }[DetailedHook]
  | { readonly hook: 'generic'; readonly name: string };

export function isDetailedHook(name: string): name is DetailedHook {
  return Object.prototype.hasOwnProperty.call(CELL_SCHEMAS, name);
}
