/**
 * Pieces of a TSEM event built from audit records: the header and COE from SYSCALL
 * (tsem-model.md §1.2, §1.3) and the `file` CELL from a PATH record plus host facts (§1.4).
 */
import type { CoeJson, EventHeaderJson, JsonCell } from '../../proto/kernel-json.js';
import type { Mutable } from '../../common/mutable.js';
import { capeffHex } from '../host/procfs.js';
import { type AuditRecord, dec, num, text } from './audit-record.js';

/** Facts about a file that audit records lack; the live source reads them from the host, the
 * log source only when the same file (device and inode) is present here. */
export interface FileFacts {
  readonly sMagic: number;
  readonly sId: string;
  readonly sUuid: string;
  readonly digest: string;
}

export interface FileQuery {
  readonly pathname: string;
  readonly major: number;
  readonly minor: number;
  readonly inode: bigint;
  readonly regular: boolean;
  readonly created: boolean;
}

export interface AuditHost {
  fileFacts(q: FileQuery): Promise<FileFacts>;
  /** CapEff of a live process (`0x` hex), undefined once it exited: the COE then says 0x0. */
  capEff(pid: number, serial: number): string | undefined;
  /** Socket type and protocol of a live process's fd, if it can still be found. */
  socketKind(pid: number, fd: number): { type: number; protocol: number } | undefined;
  /** Path of a live process's fd (finit_module, openat relative to a dirfd). */
  fdPath(pid: number, fd: number): string | undefined;
  /** HF of data, hex (af_other addresses). */
  hash(data: Buffer): string;
  /** The zero digest of the namespace hash: digest-sized task ids the source cannot know. */
  readonly zeroTaskId: string;
  /** lstat of a path now (a Landlock denial names a path, not a PATH record); undefined if gone. */
  statPath(pathname: string): PathStat | undefined;
}

/** What a PATH record would have said of a file: device, inode, mode and owner. */
export interface PathStat {
  readonly major: number;
  readonly minor: number;
  readonly inode: bigint;
  readonly mode: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
}

export function header(sys: AuditRecord, type: string, timeMs: number): EventHeaderJson {
  const ppid = dec(sys, 'ppid');
  // Field by field in the kernel's order (no spread: slow in Node 20, exporter/source.ts).
  const h: Partial<Mutable<EventHeaderJson>> = { pid: dec(sys, 'pid') ?? '0' };
  if (ppid !== undefined) h.ppid = ppid;
  h.process = text(sys, 'comm') ?? '';
  h.type = type;
  h.ts = (BigInt(timeMs) * 1_000_000n).toString();
  return h as EventHeaderJson;
}

/** §1.3 COE from the SYSCALL record's ids; capeff from /proc when the process is alive, else 0. */
export function coe(sys: AuditRecord, host: AuditHost): CoeJson {
  const id = (k: string) => dec(sys, k) ?? '4294967295';
  const pid = Number(dec(sys, 'pid') ?? -1);
  return {
    uid: id('uid'),
    euid: id('euid'),
    suid: id('suid'),
    gid: id('gid'),
    egid: id('egid'),
    sgid: id('sgid'),
    fsuid: id('fsuid'),
    fsgid: id('fsgid'),
    capeff: host.capEff(pid, sys.serial) ?? capeffHex(0n),
  };
}

/** A PATH record's `dev=MM:mm` (hex). */
export function pathDev(p: AuditRecord): { major: number; minor: number } | undefined {
  const m = /^([0-9a-f]+):([0-9a-f]+)$/i.exec(p.fields.get('dev')?.value ?? '');
  return m ? { major: parseInt(m[1]!, 16), minor: parseInt(m[2]!, 16) } : undefined;
}

/** Joins a relative PATH name onto the CWD record's directory. */
export function absolutePath(name: string, cwd: string | undefined): string {
  if (name.startsWith('/') || cwd === undefined) return name;
  const joined = `${cwd.replace(/\/$/, '')}/${name}`;
  const out: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** §1.4 file CELL from a PATH record; undefined when the record lacks inode facts. */
export async function fileFromPath(
  p: AuditRecord,
  pathname: string,
  flags: number,
  host: AuditHost
): Promise<JsonCell | undefined> {
  const dev = pathDev(p);
  const mode = num(p, 'mode', 8);
  const inode = num(p, 'inode');
  if (!dev || mode === undefined || inode === undefined) return undefined;
  const regular = (mode & 0o170000n) === 0o100000n;
  const created = p.fields.get('nametype')?.value === 'CREATE';
  const facts = await host.fileFacts({
    pathname,
    major: dev.major,
    minor: dev.minor,
    inode,
    regular,
    created,
  });
  return {
    flags: String(flags),
    inode: {
      uid: dec(p, 'ouid') ?? '0',
      gid: dec(p, 'ogid') ?? '0',
      mode: `0${mode.toString(8)}`,
      s_magic: `0x${facts.sMagic.toString(16)}`,
      s_id: facts.sId,
      s_uuid: facts.sUuid,
    },
    path: { dev: { major: String(dev.major), minor: String(dev.minor) }, type: 'root', pathname },
    digest: facts.digest,
  };
}
