/**
 * The real FileReaders: `security.ima` and digests of files on this machine, synchronous because
 * pipeline stages are (see ima-stage.ts). Both answer undefined for a file that is not here
 * or not readable, never throw. Reading security.* needs root (the server runs as root).
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { readImaXattrSync, XattrReadError } from '../../ima/io/read-xattr.js';

const CHUNK = 1 << 20;
/** Node names differ from the kernel's only for rmd160. */
const NODE_NAMES: Readonly<Record<string, string>> = { rmd160: 'ripemd160' };

/**
 * `security.ima` of `path` (getxattr(2) through the native addon), or undefined when there is
 * nothing to appraise with: no such file, no xattr support, no permission. A missing addon throws
 * (createImaStage loads it before the first event, so that surfaces at start).
 */
export function readLocalImaXattr(path: string): Buffer | undefined {
  try {
    return readImaXattrSync(path);
  } catch (err) {
    if (err instanceof XattrReadError) return undefined;
    throw err;
  }
}

/**
 * The digest of a regular file in kernel algorithm `algo`, read in chunks. Anything but a
 * regular file (a FIFO would block) and any read error give undefined.
 */
export function hashFileSync(path: string, algo: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; no effect on regular files.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return undefined;
    const h = createHash(NODE_NAMES[algo] ?? algo);
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let n; (n = readSync(fd, buf, 0, CHUNK, null)) > 0;) h.update(buf.subarray(0, n));
    return h.digest();
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
