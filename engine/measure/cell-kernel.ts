/**
 * CELL serialization of every hook with a known layout, TSEM-6.12 kernel dialect
 * (tsem-model.md §2.3 table; the quirks of §2.1 are reproduced on purpose).
 */
import type { CellOf, DetailedHook } from '../event/hooks.js';
import type { ByteWriter } from './byte-writer.js';
import {
  type CellEnv,
  HASH_MAX_DIGESTSIZE,
  writeAddr,
  writeCreds,
  writeDentry,
  writeFile,
  writeInode,
  writePath,
  writePerm,
  writeSock,
} from './cell-parts.js';

type Writer<H extends DetailedHook> = (w: ByteWriter, c: CellOf<H>, env: CellEnv) => void;
type WriterTable = { readonly [H in DetailedHook]: Writer<H> };

const fileOnly = (w: ByteWriter, c: CellOf<'file_open'>, env: CellEnv) => writeFile(w, c.file, env);
const fileCmd = (w: ByteWriter, c: CellOf<'file_ioctl'>, env: CellEnv) => {
  writeFile(w, c.file, env);
  w.u32(c.cmd);
};
const targetOnly = (w: ByteWriter, c: CellOf<'task_getpgid'>, env: CellEnv) =>
  void w.fixed(c.task, env.ds);
const sockOnly = (w: ByteWriter, c: CellOf<'socket_getsockname'>) => writeSock(w, c.sock);
const connectLike = (w: ByteWriter, c: CellOf<'socket_connect'>, env: CellEnv) => {
  writeSock(w, c.sock);
  writeAddr(w, c.addr, env.ds, true);
};
const msgLike = (w: ByteWriter, c: CellOf<'socket_sendmsg'>, env: CellEnv) => {
  writeSock(w, c.sock);
  if (c.addr) writeAddr(w, c.addr, env.ds, false);
};
const dentryOnly = (w: ByteWriter, c: CellOf<'inode_listxattr'>, env: CellEnv) =>
  writeDentry(w, c.dentry, env.ds);
const dirDentry = (w: ByteWriter, c: CellOf<'inode_unlink'>, env: CellEnv) => {
  writeInode(w, c.dir);
  writeDentry(w, c.dentry, env.ds);
};
const createLike = (w: ByteWriter, c: CellOf<'inode_create'>, env: CellEnv) => {
  dirDentry(w, c, env);
  w.u16(c.mode); // §2.1: the mode argument is u16, unlike inode.mode
};
const xattrName = (w: ByteWriter, c: CellOf<'inode_getxattr'>, env: CellEnv) => {
  writeDentry(w, c.dentry, env.ds);
  w.str(c.name);
};
const pathPair =
  (a: 'old_path' | 'from_path', b: 'new_path' | 'to_path') =>
  (
    w: ByteWriter,
    c: Record<typeof a | typeof b, CellOf<'sb_pivotroot'>['old_path']>,
    env: CellEnv
  ) => {
    writePath(w, c[a], true, env.ds);
    writePath(w, c[b], true, env.ds);
  };
const sockPair =
  (a: string, b: string) =>
  (w: ByteWriter, c: Record<string, CellOf<'socket_getsockname'>['sock']>) => {
    writeSock(w, c[a]!);
    writeSock(w, c[b]!);
  };
const ipcValue = (key: string) => (w: ByteWriter, c: CellOf<'shm_shmctl'>, env: CellEnv) => {
  writePerm(w, c.perm, env.ds);
  w.u32(c[key] as number);
};

/** The §2.3 table, one writer per hook. */
export const KERNEL_CELL_WRITERS: WriterTable = {
  bprm_committed_creds: fileOnly,
  file_open: fileOnly,
  file_receive: fileOnly,
  file_ioctl: fileCmd,
  file_ioctl_compat: fileCmd,
  file_lock: fileCmd,
  file_fcntl: fileCmd,
  mmap_file: (w, c, env) => {
    if (c.file) writeFile(w, c.file, env);
    w.u32(c.prot).u32(c.flags);
  },
  capable: (w, c) => void w.u32(c.cap).u32(c.opts),
  capget: (w, c, env) =>
    void w.fixed(c.target, env.ds).u64(c.effective).u64(c.inheritable).u64(c.permitted),
  capset: (w, c) => void w.u64(c.effective).u64(c.inheritable).u64(c.permitted),
  // TSEM-6.12 data matches only without arg5 (§2.3, VERIFIED).
  task_prctl: (w, c) => void w.u32(c.option).u64(c.arg2).u64(c.arg3).u64(c.arg4),
  task_setpgid: (w, c) =>
    void w.fixed(c.task, HASH_MAX_DIGESTSIZE).fixed(c.source, HASH_MAX_DIGESTSIZE),
  task_getpgid: targetOnly,
  task_getsid: targetOnly,
  task_getioprio: targetOnly,
  task_setscheduler: targetOnly,
  task_getscheduler: targetOnly,
  task_setnice: (w, c) => void w.fixed(c.task, HASH_MAX_DIGESTSIZE).u32(c.nice),
  task_setioprio: (w, c) => void w.fixed(c.task, HASH_MAX_DIGESTSIZE).u32(c.ioprio),
  task_kill: (w, c, env) => void w.fixed(c.target, env.ds).u32(c.sig).u32(c.cross_ns),
  task_setrlimit: (w, c, env) =>
    void w
      .fixed(c.task, env.ds)
      .u32(c.new_rlim.resource)
      .u64(c.new_rlim.current)
      .u64(c.new_rlim.max),
  task_prlimit: (w, c) => {
    writeCreds(w, c.cred);
    writeCreds(w, c.tcred);
    w.u32(c.flags ?? 0);
  },
  ptrace_access_check: (w, c, env) => void w.fixed(c.child, env.ds).u32(c.mode),
  ptrace_traceme: (w, c, env) => void w.fixed(c.source, env.ds),
  socket_create: (w, c) => void w.u32(c.family).u32(c.type).u32(c.protocol).u32(c.kern),
  socket_connect: connectLike,
  socket_bind: connectLike,
  socket_accept: (w, c, env) => {
    writeSock(w, c.sock);
    writeAddr(w, c.addr, env.ds, false); // accept: INET6 without flow/scope (§2.3)
  },
  socket_sendmsg: msgLike,
  socket_recvmsg: msgLike,
  socket_getsockname: sockOnly,
  socket_getpeername: sockOnly,
  tun_dev_attach_queue: sockOnly,
  socket_listen: (w, c) => {
    writeSock(w, c.sock);
    w.u32(c.backlog);
  },
  socket_shutdown: (w, c) => {
    writeSock(w, c.sock);
    w.u32(c.how);
  },
  socket_setsockopt: (w, c) => {
    writeSock(w, c.sock);
    w.u32(c.level).u32(c.optname);
  },
  unix_stream_connect: sockPair('sock', 'other'),
  unix_may_send: sockPair('sock', 'other'),
  socket_socketpair: sockPair('socka', 'sockb'),
  netlink_send: (w, c) => {
    writeSock(w, c.sock);
    w.u32(c.uid).u32(c.gid).u32(c.portid).u32(c.dst_group).u32(c.nsid_set);
    if (c.nsid_set !== 0) w.u32(c.nsid_set); // the code hashes the flag twice, not nsid (§2.3, CODE)
  },
  inode_create: createLike,
  inode_mkdir: createLike,
  inode_mknod: (w, c, env) => {
    createLike(w, c, env);
    w.u32(((c.dev.major << 20) | c.dev.minor) >>> 0); // kernel dev_t (§2.1)
  },
  inode_symlink: (w, c, env) => {
    dirDentry(w, c, env);
    w.str(c.old_name);
  },
  inode_unlink: dirDentry,
  inode_rmdir: dirDentry,
  inode_link: (w, c, env) => {
    writeDentry(w, c.old_dentry, env.ds);
    writeInode(w, c.dir);
    writeDentry(w, c.new_dentry, env.ds);
  },
  inode_rename: (w, c, env) => {
    writeInode(w, c.old_dir);
    writeDentry(w, c.old_dentry, env.ds);
    writeInode(w, c.new_dir);
    writeDentry(w, c.new_dentry, env.ds);
  },
  inode_setattr: (w, c, env) => {
    writeDentry(w, c.dentry, env.ds);
    w.u32(c.attr.valid).u32(c.attr.mode).u32(c.attr.uid).u32(c.attr.gid).u64(c.attr.size);
  },
  inode_getattr: (w, c, env) => writeDentry(w, c.path, env.ds),
  inode_setxattr: (w, c, env) => {
    xattrName(w, c, env);
    w.bytes(c.value).u32(c.flags);
  },
  inode_getxattr: xattrName,
  inode_removexattr: xattrName,
  inode_listxattr: dentryOnly,
  inode_killpriv: dentryOnly,
  sb_statfs: dentryOnly,
  quota_on: dentryOnly,
  sb_mount: (w, c, env) => {
    if (c.dev_name !== undefined) w.str(c.dev_name);
    writePath(w, c.path, true, env.ds);
    if (c.type !== undefined) w.str(c.type);
    w.u64(c.flags);
  },
  sb_umount: (w, c, env) => {
    writeDentry(w, c.mnt, env.ds);
    w.u32(c.flags);
  },
  sb_remount: (w, c, env) => {
    writeDentry(w, c.dentry, env.ds);
    w.str(c.fstype).u64(c.s_flags);
  },
  sb_pivotroot: pathPair('old_path', 'new_path') as Writer<'sb_pivotroot'>,
  move_mount: pathPair('from_path', 'to_path') as Writer<'move_mount'>,
  quotactl: (w, c, env) => {
    w.u32(c.cmds).u32(c.type).u32(c.id);
    writeDentry(w, c.dentry, env.ds);
    w.str(c.fstype).u64(c.s_flags);
  },
  shm_associate: ipcValue('shmflg'),
  shm_shmctl: ipcValue('cmd'),
  shm_shmat: ipcValue('shmflg'),
  sem_associate: ipcValue('semflg'),
  sem_semctl: ipcValue('cmd'),
  sem_semop: (w, c, env) => {
    writePerm(w, c.perm, env.ds);
    w.u32(c.nsops).u32(c.alter);
  },
  msg_queue_associate: ipcValue('msqflg'),
  msg_queue_msgctl: ipcValue('cmd'),
  msg_queue_msgsnd: ipcValue('msqflg'),
  msg_queue_msgrcv: (w, c, env) => {
    writePerm(w, c.perm, env.ds);
    w.fixed(c.target, env.ds).u64(c.type).u32(c.mode);
  },
  ipc_permission: (w, c, env) => {
    writePerm(w, c.perm, env.ds);
    w.u16(c.flag);
  },
  kernel_module_request: (w, c) => void w.str(c.kmod_name),
  kernel_load_data: (w, c) => void w.u32(c.id).u32(c.contents),
  kernel_read_file: (w, c, env) => {
    writeFile(w, c.file, env);
    w.u32(c.id).u32(c.contents);
  },
  key_alloc: (w, c) => {
    writeCreds(w, c.cred);
    w.u64(c.flags);
  },
  key_permission: (w, c) => {
    w.u32(c.key_ref.possessed).u16(c.key_ref.uid).u16(c.key_ref.gid).u64(c.key_ref.flags);
    writeCreds(w, c.cred);
    w.u32(c.perm);
  },
  settime: (w, c) => {
    if (c.ts) w.u64(c.ts.seconds).u64(c.ts.nsecs);
    if (c.tz) w.u32(c.tz.minuteswest).u32(c.tz.dsttime);
  },
  syslog: (w, c) => void w.u32(c.type),
  // Same early-exit bug as creds: only the first u32 is hashed (§2.3, inferred).
  bpf: (w, c) => void w.u32(c.cmd),
  bpf_map: (w, c) => void w.u32(c.map.map_type),
  bpf_prog: (w, c) => void w.u32(c.prog.type),
};
