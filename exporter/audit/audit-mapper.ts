/**
 * Maps one reassembled audit event (SYSCALL + auxiliary records) to TSEM kernel-JSON events:
 * execve → file_open of the binary and of its interpreters (exec flags) then bprm_committed_creds (task identity, §1.6);
 * open/openat → file_open; connect/bind/accept → socket_*; kill → task_kill; ptrace attach →
 * ptrace_access_check; init_module → kernel_load_data; finit_module → kernel_read_file;
 * mount → sb_mount; Landlock denials → the events they denied (landlock-denial.ts). Task ids the audit trail cannot know (socket owner, kill target, ptrace
 * child) are the zero digest: the engine's task table may fill them in by pid.
 */
import type { JsonCell, TsemEventJson } from '../../proto/kernel-json.js';
import { EXEC_FLAGS, O_LARGEFILE } from '../host/file-cell.js';
import type { AuditEventGroup } from './audit-assembler.js';
import { absolutePath, type AuditHost, coe, fileFromPath, header } from './audit-cells.js';
import { syscallName } from './audit-netlink.js';
import { type AuditRecord, num, text } from './audit-record.js';
import { landlockDenials, mapLandlockDenials } from './landlock-denial.js';
import { AF_INET, AF_INET6, decodeSockaddr } from './sockaddr.js';

export type MapResult =
  { readonly events: TsemEventJson[] } | { readonly events: []; readonly skipped: string };

const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_NOCTTY = 0o400;
const O_TRUNC = 0o1000;
const O_PATH = 0o10000000n;
const AT_FDCWD = 0xffffff9cn;
/** enum kernel_load_data_id / kernel_read_file_id: LOADING_MODULE = READING_MODULE = 2. */
const MODULE_ID = '2';
const PTRACE_ATTACH = 0x10n;
const PTRACE_SEIZE = 0x4206n;
/** PTRACE_MODE_ATTACH | PTRACE_MODE_REALCREDS, what ptrace(2) attach checks. */
const PTRACE_MODE_ATTACH_REALCREDS = '18';
/** connect(2) errors raised after the LSM hook ran: the attempt is still an event. */
const CONNECT_AFTER_HOOK = new Set(['-115', '-111', '-113', '-110', '-101']);

/** f_flags as the kernel keeps them: O_LARGEFILE forced, creation-only bits cleared (do_dentry_open). */
export function openFileFlags(openFlags: bigint): number {
  return Number(
    (openFlags | BigInt(O_LARGEFILE)) & ~BigInt(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC) & 0xffffffffn
  );
}

function event(
  sys: AuditRecord,
  g: AuditEventGroup,
  host: AuditHost,
  hook: string,
  cell: JsonCell
): TsemEventJson {
  return { event: header(sys, hook, g.timeMs), COE: coe(sys, host), [hook]: cell };
}

/** The PATH record naming the object itself (not its PARENT directory), by item order. */
function objectPath(g: AuditEventGroup): AuditRecord | undefined {
  const paths = g.records.filter((r) => r.type === 'PATH');
  return paths.find((p) => p.fields.get('nametype')?.value !== 'PARENT') ?? paths[0];
}

export async function mapAuditGroup(g: AuditEventGroup, host: AuditHost): Promise<MapResult> {
  // A syscall Landlock denied: the events it denied (the syscall itself failed, so no other).
  if (landlockDenials(g).length > 0) {
    const d = await mapLandlockDenials(g, host);
    return d.events.length > 0
      ? { events: d.events }
      : { events: [], skipped: d.skipped.join('; ') };
  }
  const sys = g.records.find((r) => r.type === 'SYSCALL');
  if (!sys) return { events: [], skipped: 'no SYSCALL record' };
  const arch = num(sys, 'arch', 16);
  const nr = num(sys, 'syscall');
  const name =
    arch !== undefined && nr !== undefined ? syscallName(Number(arch), Number(nr)) : undefined;
  if (!name)
    return { events: [], skipped: `syscall ${nr} on arch ${arch?.toString(16)} is not mapped` };
  const success = sys.fields.get('success')?.value === 'yes';
  const cwd = g.records.find((r) => r.type === 'CWD');
  const cwdPath = cwd ? text(cwd, 'cwd') : undefined;
  const pid = Number(num(sys, 'pid') ?? -1);
  const arg = (i: number) => num(sys, `a${i}`, 16) ?? 0n;
  switch (name) {
    case 'execve':
    case 'execveat': {
      if (!success) return { events: [], skipped: 'failed execve' };
      const p =
        g.records.find((r) => r.type === 'PATH' && r.fields.get('item')?.value === '0') ??
        objectPath(g);
      const pname = p ? text(p, 'name') : undefined;
      if (!p || pname === undefined) return { events: [], skipped: 'execve without PATH item 0' };
      const file = await fileFromPath(p, absolutePath(pname, cwdPath), EXEC_FLAGS, host);
      if (!file) return { events: [], skipped: 'execve PATH without inode facts' };
      // The interpreters the kernel opened for exec too (a script's, then the ELF loader: PATH
      // items 1, 2): each a file_open with exec flags, as the LSM hook sees them, and what a
      // Landlock ruleset must allow to execute.
      const interpreters: TsemEventJson[] = [];
      for (const q of g.records.filter((r) => r.type === 'PATH' && r !== p)) {
        const qname = text(q, 'name');
        if (qname === undefined || !/^[1-9]\d*$/.test(q.fields.get('item')?.value ?? '')) continue;
        if (((num(q, 'mode', 8) ?? 0n) & 0o170000n) !== 0o100000n) continue;
        const f = await fileFromPath(q, absolutePath(qname, cwdPath), EXEC_FLAGS, host);
        if (f) interpreters.push(event(sys, g, host, 'file_open', { file: f }));
      }
      return {
        events: [
          event(sys, g, host, 'file_open', { file }),
          ...interpreters,
          event(sys, g, host, 'bprm_committed_creds', { file }),
        ],
      };
    }
    case 'open':
    case 'openat':
    case 'openat2': {
      if (!success) return { events: [], skipped: 'failed open' };
      const p = objectPath(g);
      const pname = p ? text(p, 'name') : undefined;
      if (!p || pname === undefined) return { events: [], skipped: 'open without PATH' };
      // §1.1: file_open models regular files only.
      if (((num(p, 'mode', 8) ?? 0n) & 0o170000n) !== 0o100000n)
        return { events: [], skipped: 'not a regular file' };
      const base =
        name === 'openat' && arg(0) !== AT_FDCWD && !pname.startsWith('/')
          ? host.fdPath(pid, Number(arg(0)))
          : cwdPath;
      const requested = name === 'open' ? arg(1) : name === 'openat' ? arg(2) : 0n;
      // An O_PATH open never reaches the file_open hook (do_dentry_open returns before it).
      if ((requested & O_PATH) !== 0n) return { events: [], skipped: 'O_PATH open' };
      const flags = name === 'openat2' ? O_LARGEFILE : openFileFlags(requested);
      const file = await fileFromPath(p, absolutePath(pname, base), flags, host);
      return file
        ? { events: [event(sys, g, host, 'file_open', { file })] }
        : { events: [], skipped: 'open PATH without inode facts' };
    }
    case 'connect':
    case 'bind':
    case 'accept':
    case 'accept4': {
      const exit = sys.fields.get('exit')?.value ?? '';
      if (!success && !(name === 'connect' && CONNECT_AFTER_HOOK.has(exit)))
        return { events: [], skipped: `failed ${name}` };
      const sa = g.records.find((r) => r.type === 'SOCKADDR');
      const saddr = sa?.fields.get('saddr')?.value;
      if (saddr === undefined) return { events: [], skipped: `${name} without SOCKADDR` };
      const decoded = decodeSockaddr(saddr, (data) => host.hash(data));
      if (!decoded.ok) return { events: [], skipped: decoded.error };
      const family = decoded.value.family;
      const kind = host.socketKind(pid, Number(arg(0))) ?? defaultSocketKind(family);
      const sock = {
        family: String(family),
        type: String(kind.type),
        protocol: String(kind.protocol),
        owner: host.zeroTaskId,
      };
      const hook =
        name === 'connect' ? 'socket_connect' : name === 'bind' ? 'socket_bind' : 'socket_accept';
      return { events: [event(sys, g, host, hook, { sock, addr: decoded.value.addr })] };
    }
    case 'kill':
    case 'tkill':
    case 'tgkill': {
      if (!success) return { events: [], skipped: `failed ${name}` };
      const sig = name === 'tgkill' ? arg(2) : arg(1);
      return {
        events: [
          event(sys, g, host, 'task_kill', {
            target: host.zeroTaskId,
            sig: String(Number(sig & 0xffffffffn)),
            cross_ns: '0',
          }),
        ],
      };
    }
    case 'ptrace': {
      if (arg(0) !== PTRACE_ATTACH && arg(0) !== PTRACE_SEIZE)
        return { events: [], skipped: 'ptrace request other than attach' };
      return {
        events: [
          event(sys, g, host, 'ptrace_access_check', {
            child: host.zeroTaskId,
            mode: PTRACE_MODE_ATTACH_REALCREDS,
          }),
        ],
      };
    }
    case 'init_module':
      return {
        events: [event(sys, g, host, 'kernel_load_data', { id: MODULE_ID, contents: '1' })],
      };
    case 'finit_module':
      return mapFinitModule(sys, g, host, pid, Number(arg(0)));
    case 'mount':
      return mapMount(sys, g, host, arg(3), cwdPath);
  }
}

function defaultSocketKind(family: number): { type: number; protocol: number } {
  // Unknown once the process is gone: a stream socket (TCP for inet families).
  return { type: 1, protocol: family === AF_INET || family === AF_INET6 ? 6 : 0 };
}

async function mapFinitModule(
  sys: AuditRecord,
  g: AuditEventGroup,
  host: AuditHost,
  pid: number,
  fd: number
): Promise<MapResult> {
  const p = objectPath(g);
  const pname = (p ? text(p, 'name') : undefined) ?? host.fdPath(pid, fd);
  if (!p || pname === undefined)
    return { events: [], skipped: 'finit_module file unknown (no PATH record, process gone)' };
  const file = await fileFromPath(p, pname, O_LARGEFILE, host);
  if (!file) return { events: [], skipped: 'finit_module PATH without inode facts' };
  return {
    events: [event(sys, g, host, 'kernel_read_file', { file, id: MODULE_ID, contents: '1' })],
  };
}

/** sb_mount {dev_name, path, type, flags}: the target is the directory PATH; the source device,
 * when looked up, is another PATH; the filesystem type is not in the audit trail. */
function mapMount(
  sys: AuditRecord,
  g: AuditEventGroup,
  host: AuditHost,
  flags: bigint,
  cwd: string | undefined
): MapResult {
  const paths = g.records.filter((r) => r.type === 'PATH');
  const target =
    paths.find((p) => ((num(p, 'mode', 8) ?? 0n) & 0o170000n) === 0o040000n) ?? paths[0];
  const tname = target ? text(target, 'name') : undefined;
  if (!target || tname === undefined) return { events: [], skipped: 'mount without target PATH' };
  const dev = /^([0-9a-f]+):([0-9a-f]+)$/i.exec(target.fields.get('dev')?.value ?? '');
  const source = paths.find((p) => p !== target);
  const sname = source ? text(source, 'name') : undefined;
  // Field by field in the kernel's order (no spread: slow in Node 20, exporter/source.ts).
  const path: Record<string, JsonCell | string> = {};
  if (dev)
    path['dev'] = { major: String(parseInt(dev[1]!, 16)), minor: String(parseInt(dev[2]!, 16)) };
  path['type'] = 'root';
  path['pathname'] = absolutePath(tname, cwd);
  const cell: Record<string, JsonCell | string> = {};
  if (sname !== undefined) cell['dev_name'] = sname;
  cell['path'] = path;
  cell['flags'] = flags.toString();
  return { events: [event(sys, g, host, 'sb_mount', cell)] };
}
