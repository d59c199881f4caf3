/**
 * TASK_ID of an exec (tsem-model.md §2.5), computed by the simulator so that the `owner` of the
 * sockets and files a task creates is the TASK_ID a TSEM-6.12 kernel would report for it.
 * The engine derives the same value on its own from `bprm_committed_creds`; a test checks they agree.
 */
import { type SimDigest } from './sim-digest.js';
import { type SimFile, type SimInode, type SimPath, TMPFS_MAGIC } from './filesystem.js';

const S_ID_BYTES = 32;
const BPRM = Buffer.from('bprm_committed_creds', 'latin1');
/** §2.5: TSEM-6.12 hashes a zeroed COE (TV-1: HF(40 zero bytes)). */
const ZERO_COE = Buffer.alloc(40);

/** §2.1: little-endian integers, `str(s) = u32le(len) || bytes`. */
class Preimage {
  private readonly parts: Buffer[] = [];

  u32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    this.parts.push(b);
    return this;
  }

  u64(n: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.parts.push(b);
    return this;
  }

  str(s: Buffer): this {
    return this.u32(s.length).raw(s);
  }

  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** inode(i) = u32 uid || gid || mode || s_magic || s_id[32] || s_uuid[16], uuid zeroed on tmpfs (§2.3, §2.1). */
function writeInode(w: Preimage, i: SimInode): void {
  const sId = Buffer.alloc(S_ID_BYTES);
  Buffer.from(i.sId, 'utf8').copy(sId, 0, 0, S_ID_BYTES);
  w.u32(i.uid).u32(i.gid).u32(i.mode).u32(i.magic).raw(sId);
  w.raw(i.magic === TMPFS_MAGIC ? Buffer.alloc(16) : Buffer.from(i.sUuid, 'hex'));
}

/** path(p) = [u32 major || u32 minor] || str(type) || (created ? str(dir/) || u64 instance || owner : str(pathname)) (§2.3). */
function writePath(w: Preimage, p: SimPath): void {
  if (p.dev) w.u32(p.dev.major).u32(p.dev.minor);
  w.str(Buffer.from(p.type, 'utf8'));
  if (p.owner !== undefined && p.instance !== undefined) {
    const dir = p.pathname.slice(0, p.pathname.lastIndexOf('/') + 1) || '/';
    w.str(Buffer.from(dir, 'utf8')).u64(p.instance).raw(Buffer.from(p.owner, 'hex'));
  } else {
    w.str(Buffer.from(p.pathname, 'utf8'));
  }
}

/** file(f) = u32 flags || inode || path || digest (§2.3). */
export function fileCellPreimage(f: SimFile): Buffer {
  const w = new Preimage();
  w.u32(f.flags);
  writeInode(w, f.inode);
  writePath(w, f.path);
  return w.raw(Buffer.from(f.digest, 'hex')).bytes();
}

/**
 * §2.5 (VERIFIED): TASK_ID = HF("bprm_committed_creds" || PTASK_ID || NULL_ID || HF(zero COE) ||
 * HF(file(bprm->file))), where PTASK_ID is the exec'ing task's parent TASK_ID. Returns hex.
 */
export function execTaskId(d: SimDigest, pTaskIdHex: string, exe: SimFile): string {
  const coeId = d.hash(ZERO_COE);
  const cellId = d.hash(fileCellPreimage(exe));
  return d
    .hash(BPRM, Buffer.from(pTaskIdHex, 'hex'), Buffer.from(d.nullHex, 'hex'), coeId, cellId)
    .toString('hex');
}
