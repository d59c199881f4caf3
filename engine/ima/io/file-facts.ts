/**
 * What measuring and appraising a real file needs: its digest in a given algorithm (streamed)
 * and the inode facts the per-namespace cache keys on (ino, dev, change cookie).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** Node names differ from the kernel's only for rmd160. */
const NODE_NAMES: Readonly<Record<string, string>> = { rmd160: 'ripemd160' };

/** Streams the file through `algo` (kernel hash name). */
export async function hashFile(path: string, algo: string): Promise<Buffer> {
  const h = createHash(NODE_NAMES[algo] ?? algo);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest();
}

export interface InodeFacts {
  readonly ino: bigint;
  readonly dev: bigint;
  /** Change cookie: ctime in ns plus size stand in for i_version, which userspace cannot read. */
  readonly version: string;
  readonly size: number;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

export async function inodeFacts(path: string): Promise<InodeFacts> {
  const s = await stat(path, { bigint: true });
  return {
    ino: s.ino,
    dev: s.dev,
    version: `${s.mtimeNs}:${s.ctimeNs}:${s.size}`,
    size: Number(s.size),
    uid: Number(s.uid),
    gid: Number(s.gid),
    mode: Number(s.mode),
  };
}
