/**
 * Typed CELL sub-structures as the kernel emits them (tsem-model.md §1.4). Field names mirror the
 * kernel's JSON keys so that a typed value maps back to its source line without a translation table.
 */
import {
  digest,
  FieldError,
  hexBytes,
  type Infer,
  object,
  oneOf,
  optional,
  rawBytes,
  type Schema,
  text,
  u16,
  u32,
  u64,
} from './schema.js';

/** An IPv4 address as the 4 raw network-order bytes of s_addr: from dotted quad, or from the
 * decimal u32 the kernel prints for the raw (little-endian loaded) s_addr. §2.3 (unverified). */
const ipv4: Schema<Buffer> = (v, p, ctx) => {
  if (typeof v === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(v)) {
    const parts = v.split('.').map(Number);
    if (parts.some((n) => n > 255)) throw new FieldError(p, `expected an IPv4 address, got '${v}'`);
    return Buffer.from(parts);
  }
  const b = Buffer.alloc(4);
  b.writeUInt32LE(u32(v, p, ctx));
  return b;
};

export const INODE = object({
  uid: u32,
  gid: u32,
  mode: u32,
  s_magic: u32,
  s_id: rawBytes,
  s_uuid: hexBytes(16),
});
export type Inode = Infer<typeof INODE>;

export const PATH = object({
  dev: optional(object({ major: u32, minor: u32 })),
  /** Present, with `owner`, only for inodes created inside the current namespace (§1.4). */
  instance: optional(u64),
  owner: optional(digest),
  type: optional(text),
  pathname: rawBytes,
});
export type Path = Infer<typeof PATH>;

export const DENTRY = object({ inode: optional(INODE), path: PATH });
export type Dentry = Infer<typeof DENTRY>;

export const FILE = object({ flags: u32, inode: INODE, path: PATH, digest });
export type File = Infer<typeof FILE>;

export const CREDS = object({
  uid: u32,
  euid: u32,
  suid: u32,
  gid: u32,
  egid: u32,
  sgid: u32,
  fsuid: u32,
  fsgid: u32,
  capeff: u64,
  securebits: optional(u32),
});
export type Creds = Infer<typeof CREDS>;

/** IPC permission block. */
export const PERM = object({ uid: u32, gid: u32, cuid: u32, cgid: u32, mode: u32, owner: digest });
export type Perm = Infer<typeof PERM>;

/** `owner` is the TASK_ID of the socket creator. */
export const SOCK = object({ family: u32, type: u32, protocol: u32, owner: digest });
export type Sock = Infer<typeof SOCK>;

export const ADDR = oneOf({
  af_inet: object({ port: u16, address: ipv4 }),
  af_inet6: object({ port: u16, flow: optional(u32), scope: optional(u32), address: hexBytes(16) }),
  af_unix: object({ address: rawBytes }),
  af_other: object({ address: digest }),
});
export type Addr = Infer<typeof ADDR>;

/** The COE (§1.3); securebits is not part of it. */
export const COE = object({
  uid: u32,
  euid: u32,
  suid: u32,
  gid: u32,
  egid: u32,
  sgid: u32,
  fsuid: u32,
  fsgid: u32,
  capeff: u64,
});
export type Coe = Infer<typeof COE>;
