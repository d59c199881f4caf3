/**
 * The host facts audit mapping needs (audit-cells.ts `AuditHost`). Live: /proc of the audited
 * process while it exists, the mount table, and file digests read from disk. Offline (auditd
 * logs): the same file facts when the logged device and inode exist on this host, else the
 * filesystem facts are unknown (s_magic 0, empty s_id) and the digest is the zero digest.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { FileDigester } from '../host/file-digest.js';
import { PSEUDO_FS_MAGICS } from '../host/file-cell.js';
import { devMajor, devMinor, MountTable, superblockId } from '../host/mountinfo.js';
import { readCapEff } from '../host/procfs.js';
import type { AuditHost, FileFacts, FileQuery, PathStat } from './audit-cells.js';

/** statfs f_type of common filesystems, by mountinfo type name (include/uapi/linux/magic.h). */
const FS_MAGIC: Readonly<Record<string, number>> = {
  ext2: 0xef53,
  ext3: 0xef53,
  ext4: 0xef53,
  tmpfs: 0x01021994,
  devtmpfs: 0x01021994,
  xfs: 0x58465342,
  btrfs: 0x9123683e,
  overlay: 0x794c7630,
  proc: 0x9fa0,
  sysfs: 0x62656572,
  vfat: 0x4d44,
  ramfs: 0x858458f6,
  squashfs: 0x73717368,
  f2fs: 0xf2f52010,
  nfs: 0x6969,
  nfs4: 0x6969,
  fuse: 0x65735546,
  zfs: 0x2fc12fc1,
  cgroup2: 0x63677270,
  devpts: 0x1cd1,
  securityfs: 0x73636673,
  debugfs: 0x64626720,
  bpf: 0xcafe4a11,
};

export class HostFacts implements AuditHost {
  private readonly mounts = new MountTable();
  private readonly digester: FileDigester;
  readonly zeroTaskId: string;

  /** `live`: the records come from this host now, so /proc facts of their processes apply. */
  constructor(
    readonly live: boolean,
    private readonly algorithm: string
  ) {
    this.digester = new FileDigester(algorithm);
    this.zeroTaskId = '00'.repeat(createHash(algorithm).digest().length);
  }

  hash = (data: Buffer): string => createHash(this.algorithm).update(data).digest('hex');

  statPath(pathname: string): PathStat | undefined {
    try {
      const s = lstatSync(pathname, { bigint: true });
      return {
        major: devMajor(s.dev),
        minor: devMinor(s.dev),
        inode: s.ino,
        mode: s.mode,
        uid: s.uid,
        gid: s.gid,
      };
    } catch {
      return undefined;
    }
  }

  async fileFacts(q: FileQuery): Promise<FileFacts> {
    const mount = this.mounts.byDevice(q.major, q.minor);
    const sMagic = mount ? (FS_MAGIC[mount.fsType] ?? 0) : 0;
    const sId = superblockId(mount);
    const sUuid = this.mounts.uuid(q.major, q.minor);
    // A literal per outcome, not `{ ...base, digest }` (slow in Node 20, exporter/source.ts).
    const facts = (digest: string): FileFacts => ({ sMagic, sId, sUuid, digest });
    // §1.5: created-in-namespace, pseudo-fs and non-regular files carry the zero digest.
    if (!q.regular || q.created || PSEUDO_FS_MAGICS.has(sMagic)) return facts(this.digester.zero);
    try {
      const s = statSync(q.pathname, { bigint: true });
      // Hash only the very file the record names: same device and inode.
      if (
        s.ino !== q.inode ||
        devMajor(s.dev) !== q.major ||
        devMinor(s.dev) !== q.minor ||
        s.size === 0n
      ) {
        return facts(this.digester.zero);
      }
      const st = {
        dev: s.dev,
        ino: s.ino,
        mode: s.mode,
        uid: s.uid,
        gid: s.gid,
        size: s.size,
        mtimeNs: s.mtimeNs,
        ctimeNs: s.ctimeNs,
      };
      return facts(await this.digester.ofPath(q.pathname, st));
    } catch {
      return facts(this.digester.zero);
    }
  }

  /** CapEff read when a SYSCALL record arrives, before the process may exit (serial → capeff). */
  private readonly pinned = new Map<number, string>();

  /** Reads CapEff now, while the process most likely still runs; capEff() then prefers it. */
  pinCapEff(serial: number, pid: number): void {
    if (!this.live) return;
    const v = readCapEff(pid);
    if (v === undefined) return;
    // Oldest first out: groups are mapped roughly in arrival order.
    if (this.pinned.size >= 4096) this.pinned.delete(this.pinned.keys().next().value!);
    this.pinned.set(serial, v);
  }

  capEff(pid: number, serial: number): string | undefined {
    if (!this.live) return undefined;
    return this.pinned.get(serial) ?? readCapEff(pid);
  }

  fdPath(pid: number, fd: number): string | undefined {
    if (!this.live) return undefined;
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return undefined;
    }
  }

  socketKind(pid: number, fd: number): { type: number; protocol: number } | undefined {
    const link = this.fdPath(pid, fd);
    const inode = link ? /^socket:\[(\d+)\]$/.exec(link)?.[1] : undefined;
    if (inode === undefined) return undefined;
    const tables: [string, number, number][] = [
      ['tcp', 1, 6],
      ['tcp6', 1, 6],
      ['udp', 2, 17],
      ['udp6', 2, 17],
    ];
    for (const [name, type, protocol] of tables) {
      if (procNetRows(pid, name).some((cols) => cols[9] === inode)) return { type, protocol };
    }
    // /proc/net/unix: Num RefCount Protocol Flags Type St Inode Path
    const unix = procNetRows(pid, 'unix').find((cols) => cols[6] === inode);
    return unix ? { type: parseInt(unix[4] ?? '1', 16), protocol: 0 } : undefined;
  }
}

function procNetRows(pid: number, table: string): string[][] {
  try {
    return readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/));
  } catch {
    return [];
  }
}
