/**
 * Landlock denials as TSEM events (docs/landlock.md §5). A workload confined by `tsem run
 * --landlock` is restricted with LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON, so each denial reaches
 * audit as a LANDLOCK_ACCESS record (`domain=… blockers=fs.read_file path="…" dev="…" ino=…`,
 * `blockers=net.connect_tcp daddr=… dest=…`, `blockers=scope.signal opid=… ocomm=…`) in the
 * event of the denied syscall (SYSCALL: pid, comm, ids), with LANDLOCK_DOMAIN records beside it.
 * Each denial becomes the event the kernel's LSM hook would have reported had it been allowed:
 *
 *   fs.execute            → file_open with exec flags (O_LARGEFILE|__FMODE_EXEC)
 *   fs.read_file / write_file / truncate (open) → file_open with the open's own flags
 *   net.connect_tcp       → socket_connect {sock: TCP, addr: daddr:dest}
 *   net.bind_tcp          → socket_bind {sock: TCP, addr: saddr:src}
 *   scope.signal          → task_kill {target: unknown task, sig}
 *
 * marked with the denied rights in the header's `landlock` field, so a sealed canister's namespace
 * records it as forensics even when its task is untrusted already (off-contour: the ruleset
 * allowed what the model holds) with the alerts and incidents of any off-contour event. Other
 * blockers (read_dir, make_*, remove_*, refer, ioctl_dev, scope.abstract_unix_socket) are not
 * rights a compiled model handles; they are skipped and counted.
 */
import { isIPv6 } from 'node:net';
import type { JsonCell, TsemEventJson } from '../../proto/kernel-json.js';
import { EXEC_FLAGS, O_LARGEFILE } from '../host/file-cell.js';
import type { AuditEventGroup } from './audit-assembler.js';
import { type AuditHost, coe, fileFromPath, header } from './audit-cells.js';
import { syscallName } from './audit-netlink.js';
import { type AuditRecord, num, text } from './audit-record.js';
import { decodeSockaddr } from './sockaddr.js';

const O_WRONLY = 1;
const O_RDWR = 2;
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const IPPROTO_TCP = 6;

export interface DenialResult {
  readonly events: TsemEventJson[];
  /** Blockers that map to no event, with why. */
  readonly skipped: string[];
}

/** A bare field as written: addresses and ports are decimal text, never hex-encoded strings. */
function raw(rec: AuditRecord, key: string): string | undefined {
  return rec.fields.get(key)?.value;
}

/** The denial records of an audit event, if it holds any. */
export function landlockDenials(g: AuditEventGroup): AuditRecord[] {
  return g.records.filter((r) => r.type === 'LANDLOCK_ACCESS');
}

/** IPv6 text (as the kernel prints %pI6c) to the 32 hex digits of the af_inet6 CELL. */
export function ipv6Hex(address: string): string | undefined {
  if (!isIPv6(address)) return undefined;
  let s = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    s = `${s.slice(0, -v4[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  return groups
    .map((g) => g.padStart(4, '0'))
    .join('')
    .toLowerCase();
}

function addrCell(address: string | undefined, port: string | undefined): JsonCell | undefined {
  if (address === undefined || port === undefined || !/^\d+$/.test(port)) return undefined;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(address)) return { af_inet: { port, address } };
  const hex = ipv6Hex(address);
  return hex ? { af_inet6: { port, flow: '0', scope: '0', address: hex } } : undefined;
}

/** The flags of the denied open, from its syscall arguments; from the blockers otherwise. */
function openFlags(name: string | undefined, sys: AuditRecord, blockers: Set<string>): number {
  const arg = (i: number) => Number((num(sys, `a${i}`, 16) ?? 0n) & 0xffffffffn);
  if (blockers.has('fs.execute') || name === 'execve' || name === 'execveat') return EXEC_FLAGS;
  // f_flags as the kernel keeps them: O_LARGEFILE forced, creation bits cleared (do_dentry_open).
  const keep = (f: number) => (f | O_LARGEFILE) & ~(0o100 | 0o200 | 0o400 | 0o1000);
  if (name === 'open') return keep(arg(1));
  if (name === 'openat') return keep(arg(2));
  const write = blockers.has('fs.write_file') || blockers.has('fs.truncate');
  const read = blockers.has('fs.read_file');
  return O_LARGEFILE | (write && read ? O_RDWR : write ? O_WRONLY : 0);
}

async function fileEvent(
  sys: AuditRecord,
  rec: AuditRecord,
  flags: number,
  host: AuditHost
): Promise<JsonCell | string> {
  const pathname = text(rec, 'path');
  if (pathname === undefined || !pathname.startsWith('/')) return 'no absolute path';
  const st = host.statPath(pathname);
  const ino = num(rec, 'ino');
  if (!st || (ino !== undefined && st.inode !== ino)) return `${pathname} is gone`;
  // The facts a PATH record would carry, so the CELL is built as for an audited open.
  const fields = new Map([
    ['dev', { value: `${st.major.toString(16)}:${st.minor.toString(16)}`, quoted: false }],
    ['mode', { value: st.mode.toString(8), quoted: false }],
    ['inode', { value: st.inode.toString(), quoted: false }],
    ['ouid', { value: st.uid.toString(), quoted: false }],
    ['ogid', { value: st.gid.toString(), quoted: false }],
    ['nametype', { value: 'NORMAL', quoted: false }],
  ]);
  const p: AuditRecord = { type: 'PATH', serial: sys.serial, timeMs: sys.timeMs, fields };
  return (await fileFromPath(p, pathname, flags, host)) ?? `${pathname}: no inode facts`;
}

/** Maps the LANDLOCK_ACCESS records of one audit event to the TSEM events they deny. */
export async function mapLandlockDenials(
  g: AuditEventGroup,
  host: AuditHost
): Promise<DenialResult> {
  const sys = g.records.find((r) => r.type === 'SYSCALL');
  const events: TsemEventJson[] = [];
  const skipped: string[] = [];
  if (!sys) return { events, skipped: ['a Landlock denial without its SYSCALL record'] };
  const arch = num(sys, 'arch', 16);
  const nr = num(sys, 'syscall');
  const name =
    arch !== undefined && nr !== undefined ? syscallName(Number(arch), Number(nr)) : undefined;
  let denied = '';
  // Marked with what the kernel denied: the engine judges a denial even for an untrusted task.
  const emit = (hook: string, cell: JsonCell) =>
    events.push({
      event: Object.assign(header(sys, hook, g.timeMs), { landlock: denied }),
      COE: coe(sys, host),
      [hook]: cell,
    });
  for (const rec of landlockDenials(g)) {
    denied = rec.fields.get('blockers')?.value ?? '';
    const blockers = new Set(denied.split(','));
    if (
      ['fs.execute', 'fs.read_file', 'fs.write_file', 'fs.truncate'].some((b) => blockers.has(b))
    ) {
      const file = await fileEvent(sys, rec, openFlags(name, sys, blockers), host);
      if (typeof file === 'string')
        skipped.push(`Landlock denial of ${[...blockers].join(',')}: ${file}`);
      else emit('file_open', { file });
    } else if (blockers.has('net.connect_tcp') || blockers.has('net.bind_tcp')) {
      const connect = blockers.has('net.connect_tcp');
      const sa = g.records.find((r) => r.type === 'SOCKADDR')?.fields.get('saddr')?.value;
      const decoded = sa !== undefined ? decodeSockaddr(sa, (d) => host.hash(d)) : undefined;
      const addr =
        decoded?.ok === true
          ? decoded.value.addr
          : connect
            ? addrCell(raw(rec, 'daddr'), raw(rec, 'dest'))
            : addrCell(raw(rec, 'saddr'), raw(rec, 'src'));
      if (!addr) {
        skipped.push('Landlock network denial without an address');
        continue;
      }
      const family = 'af_inet6' in addr ? AF_INET6 : AF_INET;
      emit(connect ? 'socket_connect' : 'socket_bind', {
        sock: {
          family: String(family),
          type: String(SOCK_STREAM),
          protocol: String(IPPROTO_TCP),
          owner: host.zeroTaskId,
        },
        addr,
      });
    } else if (blockers.has('scope.signal')) {
      const sig = name === 'tgkill' ? num(sys, 'a2', 16) : num(sys, 'a1', 16);
      emit('task_kill', {
        target: host.zeroTaskId,
        sig: String(Number((sig ?? 0n) & 0xffffffffn)),
        cross_ns: '0',
      });
    } else {
      skipped.push(`Landlock denial of ${[...blockers].join(',')}: no TSEM event is mapped`);
    }
  }
  return { events, skipped };
}
