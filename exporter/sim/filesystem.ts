/**
 * The simulated machine's files: mounts, inode metadata and the CELL structures `inode`, `path`,
 * `dentry` and `file` in the kernel's JSON form (tsem-model.md §1.4, §1.5). Everything is a pure
 * function of the pathname, so a path always yields the same point.
 */
import type { JsonCell } from '../../proto/kernel-json.js';
import { contentDigestHex, type SimDigest } from './sim-digest.js';

export interface SimInode {
  readonly uid: number;
  readonly gid: number;
  /** Full st_mode, e.g. 0o100755. */
  readonly mode: number;
  readonly magic: number;
  readonly sId: string;
  readonly sUuid: string;
}

export interface SimPath {
  readonly dev?: { readonly major: number; readonly minor: number };
  /** Present with `owner` only for inodes created inside the namespace (§1.4). */
  readonly instance?: number;
  readonly owner?: string;
  readonly type: string;
  readonly pathname: string;
}

export interface SimFile {
  readonly flags: number;
  readonly inode: SimInode;
  readonly path: SimPath;
  readonly digest: string;
}

/** An inode created inside the namespace: its creator's TASK_ID and instance (§1.4, §1.5). */
export interface CreatedInode {
  readonly owner: string;
  readonly instance: number;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

interface Mount {
  readonly at: string;
  readonly magic: number;
  readonly sId: string;
  readonly sUuid: string;
  /** Block device; absent on pseudo filesystems, whose pathnames are then mount-relative (§1.4, TV-4). */
  readonly dev?: { readonly major: number; readonly minor: number };
  /** §1.5: pseudo filesystems carry the zero digest. */
  readonly pseudo: boolean;
}

const EXT4_MAGIC = 0xef53;
export const TMPFS_MAGIC = 0x01021994;
const ZERO_UUID = '0'.repeat(32);

/** Longest mount point first, so /dev/pts wins over /. */
const MOUNTS: readonly Mount[] = [
  { at: '/dev/pts', magic: 0x1cd1, sId: 'devpts', sUuid: ZERO_UUID, pseudo: true },
  { at: '/proc', magic: 0x9fa0, sId: 'proc', sUuid: ZERO_UUID, pseudo: true },
  { at: '/tmp', magic: TMPFS_MAGIC, sId: 'tmpfs', sUuid: ZERO_UUID, pseudo: false },
  {
    at: '/',
    magic: EXT4_MAGIC,
    sId: 'sda1',
    sUuid: '3a6f1c2e9b8d4f5aa1c07e2d94b6f813',
    dev: { major: 8, minor: 1 },
    pseudo: false,
  },
];

/** Owner and mode by path; the first matching rule wins, the default is root 0644. */
const META_RULES: readonly (readonly [RegExp, { uid?: number; gid?: number; mode: number }])[] = [
  [/^\/etc\/shadow$/, { gid: 42, mode: 0o100640 }],
  [/^\/etc\/ssl\/private\//, { mode: 0o100600 }],
  [/^\/(usr\/)?s?bin\/|^\/tmp\/.*\/[^/.]+$/, { mode: 0o100755 }],
  [/^\/home\/alice\//, { uid: 1000, gid: 1000, mode: 0o100644 }],
  [/^\/home\/bob\//, { uid: 1001, gid: 1001, mode: 0o100644 }],
  [/^\/root\/\.ssh\//, { mode: 0o100600 }],
  [/^\/dev\/pts\//, { uid: 0, gid: 5, mode: 0o20620 }],
  [/^\/proc\/\d+\/mem$/, { mode: 0o100600 }],
  [/^\/proc\//, { mode: 0o100444 }],
];

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

function mountOf(pathname: string): Mount {
  return MOUNTS.find((m) => m.at === '/' || pathname === m.at || pathname.startsWith(`${m.at}/`))!;
}

function metaOf(pathname: string, dir: boolean): { uid: number; gid: number; mode: number } {
  if (dir)
    return {
      uid: 0,
      gid: 0,
      mode: pathname === '/root' || pathname.startsWith('/root/') ? 0o40700 : 0o40755,
    };
  const rule = META_RULES.find(([re]) => re.test(pathname));
  return { uid: rule?.[1].uid ?? 0, gid: rule?.[1].gid ?? 0, mode: rule?.[1].mode ?? 0o100644 };
}

/** Resolves pathnames to CELL structures; `created` holds inodes created inside the namespace. */
export class FileSystem {
  /** Content digests by path: the set of paths is small and fixed, hashing each once is enough. */
  private readonly digests = new Map<string, string>();

  constructor(
    private readonly digest: SimDigest,
    private readonly created: ReadonlyMap<string, CreatedInode>
  ) {}

  inode(pathname: string, dir = false): SimInode {
    const m = mountOf(pathname);
    const made = this.created.get(pathname);
    const meta = made ?? metaOf(pathname, dir);
    return {
      uid: meta.uid,
      gid: meta.gid,
      mode: meta.mode,
      magic: m.magic,
      sId: m.sId,
      sUuid: m.sUuid,
    };
  }

  path(pathname: string): SimPath {
    const m = mountOf(pathname);
    const made = this.created.get(pathname);
    // Pseudo and anonymous-device filesystems show the path below their own root (TV-4: devpts "/1").
    const shown = m.dev ? pathname : pathname.slice(m.at.length) || '/';
    const created = made ? { instance: made.instance, owner: made.owner } : {};
    return { ...(m.dev ? { dev: m.dev } : {}), ...created, type: 'root', pathname: shown };
  }

  file(pathname: string, flags: number, dir = false): SimFile {
    const inode = this.inode(pathname, dir);
    const m = mountOf(pathname);
    // §1.5: zero digest for created, pseudo-filesystem and non-regular files.
    const zero = this.created.has(pathname) || m.pseudo || (inode.mode & S_IFMT) !== S_IFREG;
    return {
      flags,
      inode,
      path: this.path(pathname),
      digest: zero ? this.digest.zeroHex : this.contentDigest(pathname),
    };
  }

  private contentDigest(pathname: string): string {
    let d = this.digests.get(pathname);
    if (d === undefined) this.digests.set(pathname, (d = contentDigestHex(this.digest, pathname)));
    return d;
  }
}

const oct = (n: number) => `0${n.toString(8)}`;
const hex = (n: number) => `0x${n.toString(16)}`;

export function inodeJson(i: SimInode): JsonCell {
  return {
    uid: `${i.uid}`,
    gid: `${i.gid}`,
    mode: oct(i.mode),
    s_magic: hex(i.magic),
    s_id: i.sId,
    s_uuid: i.sUuid,
  };
}

export function pathJson(p: SimPath): JsonCell {
  const out: Record<string, string | JsonCell> = {};
  if (p.dev) out['dev'] = { major: `${p.dev.major}`, minor: `${p.dev.minor}` };
  if (p.owner !== undefined && p.instance !== undefined) {
    out['instance'] = `${p.instance}`;
    out['owner'] = p.owner;
  }
  out['type'] = p.type;
  out['pathname'] = p.pathname;
  return out;
}

export function fileJson(f: SimFile): JsonCell {
  return {
    flags: `${f.flags}`,
    inode: inodeJson(f.inode),
    path: pathJson(f.path),
    digest: f.digest,
  };
}

/** `dentry`: the inode is absent for a name that does not exist yet (inode_create). */
export function dentryJson(inode: SimInode | undefined, path: SimPath): JsonCell {
  return inode ? { inode: inodeJson(inode), path: pathJson(path) } : { path: pathJson(path) };
}
