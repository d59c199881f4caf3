/**
 * A simulated task and the security events it can raise, each with its CELL in the kernel's JSON
 * form (tsem-model.md §1.4). The task tracks its TASK_ID as the kernel would (§1.6): fork copies
 * it, exec derives a new one (§2.5), so sockets and created files carry the right `owner`.
 */
import type { CoeJson, JsonCell } from '../../proto/kernel-json.js';
import { dentryJson, fileJson, inodeJson, type SimFile } from './filesystem.js';
import { LD_SO_CACHE, type Program } from './programs.js';
import { execTaskId } from './task-id.js';
import type { World } from './world.js';

/** f_flags values as the kernel reports them (O_LARGEFILE is forced on 64-bit). */
export const OPEN = {
  read: 0o100000,
  readCloexec: 0o2100000,
  readNonblock: 0o104000,
  readDir: 0o2304000,
  /** O_WRONLY|O_APPEND (O_CREAT/O_TRUNC are cleared from f_flags by do_dentry_open). */
  append: 0o102001,
  write: 0o100001,
  readWrite: 0o100002,
  /** O_LARGEFILE|__FMODE_EXEC: the flags of bprm->file (§2.5, TV-3). */
  exec: 0o100040,
} as const;

export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const IPPROTO_TCP = 6;

/** Mapping prot/flags of the loader: PROT_READ, then PROT_READ|PROT_EXEC with MAP_FIXED; MAP_PRIVATE|MAP_DENYWRITE. */
const LOADER_MAPS: readonly (readonly [number, number])[] = [
  [1, 0x802],
  [5, 0x812],
];

export interface SimSock {
  readonly family: number;
  readonly type: number;
  readonly protocol: number;
  /** TASK_ID of the creating task (§1.4). */
  readonly owner: string;
}

export type SimAddr = { readonly af_inet: { readonly port: number; readonly address: string } };

interface TaskState {
  pid: number;
  ppid?: number;
  comm: string;
  coe: CoeJson;
  taskId: string;
  pTaskId: string;
}

const sockJson = (s: SimSock): JsonCell => ({
  family: `${s.family}`,
  type: `${s.type}`,
  protocol: `${s.protocol}`,
  owner: s.owner,
});
const addrJson = (a: SimAddr): JsonCell => ({
  af_inet: { port: `${a.af_inet.port}`, address: a.af_inet.address },
});
const dirname = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';

export class SimProcess {
  private createdCount = 0;

  constructor(
    private readonly w: World,
    private readonly s: TaskState
  ) {}

  get pid(): number {
    return this.s.pid;
  }
  get taskId(): string {
    return this.s.taskId;
  }
  get comm(): string {
    return this.s.comm;
  }

  private emit(type: string, cell?: JsonCell): void {
    this.w.emit(this.s, type, cell);
  }

  /** §1.6 fork: a task_alloc for the child (pid=child, ppid=parent) in the parent's context. */
  fork(): SimProcess {
    const pid = this.w.allocPid();
    const child = new SimProcess(this.w, {
      ...this.s,
      pid,
      ppid: this.s.pid,
      pTaskId: this.s.taskId,
    });
    this.w.emit({ pid, ppid: this.s.pid, comm: this.s.comm, coe: this.s.coe }, 'task_alloc');
    return child;
  }

  /** execve then the dynamic loader's events. */
  exec(prog: Program): void {
    this.execve(prog);
    this.load(prog);
  }

  /** §1.6/§2.5 exec: a new TASK_ID from the parent TASK_ID and the exec'd file (p_task_id is kept). */
  execve(prog: Program): void {
    const exe = this.w.fs.file(prog.path, OPEN.exec);
    this.s.comm = prog.comm;
    this.emit('bprm_committed_creds', { file: fileJson(exe) });
    this.s.taskId = execTaskId(this.w.digest, this.s.pTaskId, exe);
  }

  /** ld.so: the cache, then each library opened and mapped; nothing for a static binary. */
  load(prog: Program): void {
    if (!prog.libs) return;
    this.open(LD_SO_CACHE, OPEN.readCloexec);
    for (const lib of prog.libs) {
      this.open(lib, OPEN.readCloexec);
      for (const [prot, flags] of LOADER_MAPS) this.mmap(lib, prot, flags);
    }
  }

  /** A credential change (setuid/setgid): no TSEM event of its own, later events carry the COE. */
  setCoe(coe: CoeJson): void {
    this.s.coe = coe;
  }

  open(pathname: string, flags: number, dir = false): SimFile {
    const f = this.w.fs.file(pathname, flags, dir);
    this.emit('file_open', { file: fileJson(f) });
    return f;
  }

  mmap(pathname: string, prot: number, flags: number): void {
    this.emit('mmap_file', {
      file: fileJson(this.w.fs.file(pathname, OPEN.readCloexec)),
      prot: `${prot}`,
      flags: `${flags}`,
    });
  }

  ioctl(pathname: string, flags: number, cmd: number): void {
    this.emit('file_ioctl', { file: fileJson(this.w.fs.file(pathname, flags)), cmd: `${cmd}` });
  }

  /** stat(2): TSEM-6.12 emits the dentry under `path` (§1.4). */
  getattr(pathname: string, dir = false): void {
    this.emit('inode_getattr', {
      path: dentryJson(this.w.fs.inode(pathname, dir), this.w.fs.path(pathname)),
    });
  }

  /** Creates a file inside the namespace: it is owned by this TASK_ID from now on (§1.4, §1.5). */
  create(pathname: string, mode: number): void {
    const dir = dirname(pathname);
    this.emit('inode_create', {
      dir: inodeJson(this.w.fs.inode(dir, true)),
      dentry: dentryJson(undefined, this.w.fs.path(pathname)),
      mode: `0${mode.toString(8)}`,
    });
    const fsuid = Number(this.s.coe.fsuid);
    const fsgid = Number(this.s.coe.fsgid);
    this.w.created.set(pathname, {
      owner: this.s.taskId,
      instance: ++this.createdCount,
      uid: fsuid,
      gid: fsgid,
      mode,
    });
  }

  unlink(pathname: string): void {
    const fs = this.w.fs;
    this.emit('inode_unlink', {
      dir: inodeJson(fs.inode(dirname(pathname), true)),
      dentry: dentryJson(fs.inode(pathname), fs.path(pathname)),
    });
    this.w.created.delete(pathname);
  }

  socket(family: number, type: number, protocol: number): SimSock {
    this.emit('socket_create', {
      family: `${family}`,
      type: `${type}`,
      protocol: `${protocol}`,
      kern: '0',
    });
    return { family, type, protocol, owner: this.s.taskId };
  }

  /** The socket accept(2) returns: created in this task's context, so this task owns it. */
  acceptedSocket(listening: SimSock): SimSock {
    return { ...listening, owner: this.s.taskId };
  }

  bind(sock: SimSock, addr: SimAddr): void {
    this.emit('socket_bind', { sock: sockJson(sock), addr: addrJson(addr) });
  }
  connect(sock: SimSock, addr: SimAddr): void {
    this.emit('socket_connect', { sock: sockJson(sock), addr: addrJson(addr) });
  }
  /** The CELL carries the listening socket and its bound address (§2.3 socket_accept). */
  accept(listening: SimSock, addr: SimAddr): void {
    this.emit('socket_accept', { sock: sockJson(listening), addr: addrJson(addr) });
  }
  listen(sock: SimSock, backlog: number): void {
    this.emit('socket_listen', { sock: sockJson(sock), backlog: `${backlog}` });
  }
  setsockopt(sock: SimSock, level: number, optname: number): void {
    this.emit('socket_setsockopt', {
      sock: sockJson(sock),
      level: `${level}`,
      optname: `${optname}`,
    });
  }
  /** Connected stream sockets: no msg_name, so no `addr` (§2.3). */
  sendmsg(sock: SimSock): void {
    this.emit('socket_sendmsg', { sock: sockJson(sock) });
  }
  recvmsg(sock: SimSock): void {
    this.emit('socket_recvmsg', { sock: sockJson(sock) });
  }

  capable(cap: number): void {
    this.emit('capable', { cap: `${cap}`, opts: '0' });
  }
  prctl(option: number, arg2 = 0): void {
    this.emit('task_prctl', {
      option: `${option}`,
      arg2: `${arg2}`,
      arg3: '0',
      arg4: '0',
      arg5: '0',
    });
  }
  /** setpgid(0, 0): the target and the caller are this task. */
  setpgidSelf(): void {
    this.emit('task_setpgid', { task: this.s.taskId, source: this.s.taskId });
  }
  setnice(nice: number): void {
    this.emit('task_setnice', { task: this.s.taskId, nice: `${nice}` });
  }
  ptraceAccessCheck(target: SimProcess, mode: number): void {
    this.emit('ptrace_access_check', { child: target.taskId, mode: `${mode}` });
  }
  kernelReadFile(pathname: string, id: number): void {
    const f = this.w.fs.file(pathname, OPEN.readCloexec);
    this.emit('kernel_read_file', { file: fileJson(f), id: `${id}`, contents: '1' });
  }
  kernelLoadData(id: number): void {
    this.emit('kernel_load_data', { id: `${id}`, contents: '1' });
  }
  kernelModuleRequest(name: string): void {
    this.emit('kernel_module_request', { kmod_name: name });
  }
}
