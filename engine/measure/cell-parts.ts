/**
 * CELL building blocks in the TSEM-6.12 kernel layout (tsem-model.md §2.1, §2.3 "Building blocks").
 * Every writer appends to a ByteWriter; `ds` is the namespace digest size.
 */
import type { Addr, Creds, Dentry, File, Inode, Path, Perm, Sock } from '../event/structures.js';
import type { ByteWriter } from './byte-writer.js';

/** §2.1: s_uuid is replaced by 16 zero bytes on tmpfs ("UUID leveling"). */
export const TMPFS_MAGIC = 0x01021994;
/** §2.1: HASH_MAX_DIGESTSIZE, the width of the zero-padded owner/task quirk fields. */
export const HASH_MAX_DIGESTSIZE = 64;
const ZERO_UUID = Buffer.alloc(16);
const S_ID_BYTES = 32;

/** Hooks CELL serialization may need beyond the CELL itself. */
export interface CellEnv {
  readonly ds: number;
  readonly zeroDigest: Buffer;
  /** §2.8: returns true when the pathname's pseudonym is declared (digest becomes HF("")). */
  readonly isPseudonym?: (pathname: Buffer) => boolean;
}

/** inode(i) = u32 uid || u32 gid || u32 mode || u32 s_magic || s_id[32] || s_uuid[16] (§2.3). */
export function writeInode(w: ByteWriter, i: Inode): void {
  w.u32(i.uid).u32(i.gid).u32(i.mode).u32(i.s_magic).fixed(i.s_id, S_ID_BYTES);
  w.bytes(i.s_magic === TMPFS_MAGIC ? ZERO_UUID : i.s_uuid);
}

/** The directory part, with its trailing slash, of a pathname created inside the namespace. */
function createdDir(pathname: Buffer): Buffer {
  if (pathname.length > 0 && pathname[pathname.length - 1] === 0x2f) return pathname;
  const slash = pathname.lastIndexOf(0x2f);
  return slash < 0 ? Buffer.from('/') : pathname.subarray(0, slash + 1);
}

/**
 * path(p) = [u32 major || u32 minor] || [str(type)] ||
 *           (created ? str(dir/) || u64 instance || owner[ds] : str(pathname))      (§2.3)
 * `withType`: TSEM-6.12 hashes the type string for file/mount paths, not for dentry paths.
 */
export function writePath(w: ByteWriter, p: Path, withType: boolean, ds: number): void {
  if (p.dev) w.u32(p.dev.major).u32(p.dev.minor);
  if (withType && p.type !== undefined) w.strLatin1(p.type);
  if (p.owner !== undefined && p.instance !== undefined) {
    w.str(createdDir(p.pathname)).u64(p.instance).fixed(p.owner, ds);
  } else {
    w.str(p.pathname);
  }
}

/** dentry(d) = [inode(d.inode)] || dpath(d.path), dpath without the type string (§2.3). */
export function writeDentry(w: ByteWriter, d: Dentry, ds: number): void {
  if (d.inode) writeInode(w, d.inode);
  writePath(w, d.path, false, ds);
}

export function pathnamePseudonymised(f: File, env: CellEnv): boolean {
  return env.isPseudonym !== undefined && env.isPseudonym(f.path.pathname);
}

/** file(f) = u32 flags || inode || path (with type) || digest[ds]; pseudonyms zero the digest. */
export function writeFile(w: ByteWriter, f: File, env: CellEnv): void {
  w.u32(f.flags);
  writeInode(w, f.inode);
  writePath(w, f.path, true, env.ds);
  w.fixed(pathnamePseudonymised(f, env) ? env.zeroDigest : f.digest, env.ds);
}

/** sock(s) = u32 family || u32 type || u32 protocol || owner[64] (owner zero-padded, §2.1 quirk). */
export function writeSock(w: ByteWriter, s: Sock): void {
  w.u32(s.family).u32(s.type).u32(s.protocol).fixed(s.owner, HASH_MAX_DIGESTSIZE);
}

/** creds(c): the add_creds early-exit bug hashes only `u32 uid` (§2.1, VERIFIED). */
export function writeCreds(w: ByteWriter, c: Creds): void {
  w.u32(c.uid);
}

/** IPC perm = u32 uid || gid || cuid || cgid || u16 mode || owner[ds] (§2.3, CODE). */
export function writePerm(w: ByteWriter, p: Perm, ds: number): void {
  w.u32(p.uid).u32(p.gid).u32(p.cuid).u32(p.cgid).u16(p.mode).fixed(p.owner, ds);
}

/**
 * Socket address after sock(s), by family (§2.3): INET u16 port || u32 s_addr (raw network order);
 * INET6 u16 port || addr[16] [|| u32 flowinfo || u32 scope]; UNIX the path bytes with no length;
 * other the digest of sa_data (or only `otherWidth` bytes of it, the userspace TMA's bug).
 */
export function writeAddr(
  w: ByteWriter,
  a: Addr,
  ds: number,
  inet6FlowScope: boolean,
  otherWidth = ds
): void {
  switch (a.kind) {
    case 'af_inet':
      w.u16be(a.value.port).bytes(a.value.address); // raw network order (§2.3)
      return;
    case 'af_inet6':
      w.u16be(a.value.port).bytes(a.value.address);
      if (inet6FlowScope) w.u32(a.value.flow ?? 0).u32(a.value.scope ?? 0);
      return;
    case 'af_unix':
      w.bytes(a.value.address);
      return;
    case 'af_other':
      w.fixed(a.value.address, otherWidth);
      return;
  }
}
