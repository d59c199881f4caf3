/**
 * Superblock facts a file CELL needs (tsem-model.md §1.4 inode.s_id, s_uuid) that fstat does not
 * give: found from /proc/self/mountinfo by device number, and the filesystem UUID from
 * /dev/disk/by-uuid or, for ext2/3/4, from the on-disk superblock (no blkid needed).
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface MountEntry {
  readonly major: number;
  readonly minor: number;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses /proc/PID/mountinfo: `id parent major:minor root mountpoint opts [tags] - fstype source superopts`. */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(' ');
    const sep = parts.indexOf('-');
    const dev = /^(\d+):(\d+)$/.exec(parts[2] ?? '');
    if (sep < 6 || !dev || parts.length < sep + 3) continue;
    out.push({
      major: Number(dev[1]),
      minor: Number(dev[2]),
      mountPoint: unescapeOctal(parts[4]!),
      fsType: parts[sep + 1]!,
      source: unescapeOctal(parts[sep + 2]!),
    });
  }
  return out;
}

/** The kernel's s_id: the block device name for disk filesystems, else the filesystem type name
 * (what alloc_super copies from file_system_type.name), at most 31 characters. */
export function superblockId(entry: MountEntry | undefined): string {
  if (!entry) return '';
  const id = entry.source.startsWith('/dev/') ? basename(entry.source) : entry.fsType;
  return id.slice(0, 31);
}

const EXT_SUPERBLOCK_OFFSET = 1024;
const EXT_MAGIC_OFFSET = 0x38;
const EXT_UUID_OFFSET = 0x68;
const ZERO_UUID = '0'.repeat(32);

/** ext2/3/4 superblock UUID (struct ext4_super_block.s_uuid), or undefined if not ext. */
export function extUuid(superblock: Buffer): string | undefined {
  if (
    superblock.length < EXT_UUID_OFFSET + 16 ||
    superblock.readUInt16LE(EXT_MAGIC_OFFSET) !== 0xef53
  )
    return undefined;
  return superblock.subarray(EXT_UUID_OFFSET, EXT_UUID_OFFSET + 16).toString('hex');
}

export class MountTable {
  private entries: MountEntry[] = [];
  private readonly uuids = new Map<string, string>();

  constructor() {
    this.refresh();
  }

  refresh(): void {
    try {
      this.entries = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
    } catch {
      this.entries = [];
    }
  }

  /** The mount of a device; re-reads mountinfo once when the device is new (a fresh mount). */
  byDevice(major: number, minor: number): MountEntry | undefined {
    const find = () => this.entries.find((e) => e.major === major && e.minor === minor);
    let e = find();
    if (!e) {
      this.refresh();
      e = find();
    }
    return e;
  }

  /** 32 hex characters of the filesystem UUID; zeros when unknown (tmpfs is levelled anyway, §2.1). */
  uuid(major: number, minor: number): string {
    const key = `${major}:${minor}`;
    let u = this.uuids.get(key);
    if (u === undefined) {
      u = this.lookupUuid(major, minor) ?? ZERO_UUID;
      this.uuids.set(key, u);
    }
    return u;
  }

  private lookupUuid(major: number, minor: number): string | undefined {
    const entry = this.byDevice(major, minor);
    if (entry?.source.startsWith('/dev/') && entry.fsType.startsWith('ext')) {
      const sb = readAt(entry.source, EXT_SUPERBLOCK_OFFSET, 0x100);
      const u = sb ? extUuid(sb) : undefined;
      if (u) return u;
    }
    return byUuidLink(major, minor);
  }
}

function readAt(path: string, offset: number, length: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, offset);
    return buf.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** /dev/disk/by-uuid/<uuid> → the block device; a UUID in dashed form becomes 32 hex chars. */
function byUuidLink(major: number, minor: number): string | undefined {
  const dir = '/dev/disk/by-uuid';
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    try {
      const st = statSync(join(dir, name));
      const hex = name.replace(/-/g, '').toLowerCase();
      if (
        st.isBlockDevice() &&
        devMajor(BigInt(st.rdev)) === major &&
        devMinor(BigInt(st.rdev)) === minor &&
        /^[0-9a-f]{32}$/.test(hex)
      )
        return hex;
    } catch {
      // a dangling link: skip it
    }
  }
  return undefined;
}

/** glibc's gnu_dev_major/minor for a 64-bit dev_t. */
export function devMajor(dev: bigint): number {
  return Number(((dev & 0xfff00n) >> 8n) | ((dev & 0xfffff00000000000n) >> 32n));
}
export function devMinor(dev: bigint): number {
  return Number((dev & 0xffn) | ((dev & 0xffffff00000n) >> 12n));
}
