/**
 * CELL serialization of the Quixote userspace TMA (quixote-us), tsem-model.md §2.10: detailed CELLs
 * only for file_open, mmap_file, socket_create, socket_connect/bind, socket_accept and task_kill;
 * every other hook maps generically.
 */
import type { Cell } from '../event/hooks.js';
import type { File } from '../event/structures.js';
import type { ByteWriter } from './byte-writer.js';
import {
  type CellEnv,
  pathnamePseudonymised,
  TMPFS_MAGIC,
  writeAddr,
  writeSock,
} from './cell-parts.js';

const ZERO_UUID = Buffer.alloc(16);

/** §2.10 file CELL: u16 mode, no dev numbers, type string then the pathname. */
function writeFileUs(w: ByteWriter, f: File, env: CellEnv): void {
  const i = f.inode;
  w.u32(f.flags).u32(i.uid).u32(i.gid).u16(i.mode).u32(i.s_magic).fixed(i.s_id, 32);
  w.bytes(i.s_magic === TMPFS_MAGIC ? ZERO_UUID : i.s_uuid);
  w.str(Buffer.from(f.path.type ?? '', 'latin1'));
  if (f.path.owner !== undefined && f.path.instance !== undefined) {
    w.str(f.path.pathname).u64(f.path.instance).fixed(f.path.owner, env.ds);
  } else {
    w.str(f.path.pathname);
  }
  w.fixed(pathnamePseudonymised(f, env) ? env.zeroDigest : f.digest, env.ds);
}

/** Writes the CELL preimage, or returns false when the hook maps generically in this dialect. */
export function writeQuixoteCell(w: ByteWriter, cell: Cell, env: CellEnv): boolean {
  switch (cell.hook) {
    case 'file_open':
    case 'bprm_committed_creds':
      writeFileUs(w, cell.value.file, env);
      return true;
    case 'mmap_file':
      if (cell.value.file) writeFileUs(w, cell.value.file, env);
      w.u32(cell.value.prot).u32(cell.value.flags);
      return true;
    case 'socket_create':
      w.u32(cell.value.family).u32(cell.value.type).u32(cell.value.protocol).u32(cell.value.kern);
      return true;
    case 'socket_connect':
    case 'socket_bind':
    case 'socket_accept':
      writeSock(w, cell.value.sock);
      // The default branch hashes sizeof(pointer) = 8 bytes (§2.10 bug).
      writeAddr(w, cell.value.addr, env.ds, cell.hook !== 'socket_accept', 8);
      return true;
    case 'task_kill':
      // §2.10: u32 cross_model || u32 signal || task_id (order differs from the kernel).
      w.u32(cell.value.cross_ns).u32(cell.value.sig).fixed(cell.value.target, env.ds);
      return true;
    default:
      return false;
  }
}
