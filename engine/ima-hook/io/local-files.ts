/**
 * The real FileReaders: `security.ima` and digests of files on this machine, synchronous because
 * pipeline hooks are (see ima-engine-hook.ts). Both answer undefined for a file that is not here
 * or not readable, never throw. Reading security.* needs root (the server runs as root).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { loadNativeAddon, type NativeAddon } from '../../native-addon.js';

const CHUNK = 1 << 20;

let addonState: NativeAddon | null | undefined;
function nativeAddon(): NativeAddon | undefined {
  if (addonState === undefined) {
    try {
      addonState = loadNativeAddon();
    } catch {
      addonState = null;
    }
  }
  return addonState ?? undefined;
}
/** Node names differ from the kernel's only for rmd160. */
const NODE_NAMES: Readonly<Record<string, string>> = { rmd160: 'ripemd160' };

/**
 * `security.ima` of `path`: getxattr(2) through the native addon; where the addon cannot load,
 * `getfattr` (attr package) hex-encoded, a ~10 ms process spawn.
 */
export function readImaXattrSync(path: string): Buffer | undefined {
  const addon = nativeAddon();
  if (addon) {
    try {
      return addon.getXattr(path, 'security.ima') ?? undefined;
    } catch {
      return undefined; // no such file, no xattr support, no permission: nothing to appraise with
    }
  }
  try {
    const out = execFileSync('getfattr', ['--absolute-names', '-n', 'security.ima', '-e', 'hex', '--', path], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20,
    });
    const m = /^security\.ima=0x([0-9a-f]*)$/m.exec(out);
    return m ? Buffer.from(m[1]!, 'hex') : undefined;
  } catch {
    // No such attribute, no such file, no xattr support, or no getfattr: nothing to appraise with.
    return undefined;
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
    for (let n; (n = readSync(fd, buf, 0, CHUNK, null)) > 0; ) h.update(buf.subarray(0, n));
    return h.digest();
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

