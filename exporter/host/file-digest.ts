/**
 * Content digests of files (tsem-model.md §1.5), read through an already open fd (the fanotify
 * event fd, so the read itself raises no event) or a path. Cached per inode and change time, as
 * the kernel caches per inode on i_version; `invalidate` drops an inode after a close-write. Large
 * files are hashed in a worker thread (hash-offload.ts), off the event loop.
 */
import { createHash } from 'node:crypto';
import { close, open, read } from 'node:fs';
import { promisify } from 'node:util';
import type { FileStat } from './file-cell.js';
import { hashFdOffLoop, LARGE_FILE_BYTES } from './hash-offload.js';

const readAsync = promisify(read);
const openAsync = promisify(open);
const closeAsync = promisify(close);
const CHUNK_BYTES = 1 << 20;
const MAX_CACHED = 16_384;

export class FileDigester {
  private readonly cache = new Map<string, string>();
  readonly zero: string;

  /** `algorithm` is a node:crypto hash name (the namespace hash, §2.9), e.g. 'sha256'. */
  constructor(readonly algorithm: string) {
    this.zero = createHash(algorithm).digest('hex');
  }

  /** HF(contents) read with pread from offset 0, so the fd's file position is untouched. */
  async ofFd(fd: number, st: FileStat): Promise<string> {
    const key = cacheKey(st);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const hex =
      st.size >= LARGE_FILE_BYTES
        ? await hashFdOffLoop(fd, this.algorithm)
        : await this.hashHere(fd);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, hex);
    return hex;
  }

  private async hashHere(fd: number): Promise<string> {
    const h = createHash(this.algorithm);
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let pos = 0; ;) {
      const { bytesRead } = await readAsync(fd, buf, 0, CHUNK_BYTES, pos);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    return h.digest('hex');
  }

  async ofPath(path: string, st: FileStat): Promise<string> {
    const fd = await openAsync(path, 'r');
    try {
      return await this.ofFd(fd, st);
    } finally {
      await closeAsync(fd);
    }
  }

  invalidate(dev: bigint, ino: bigint): void {
    const prefix = `${dev}:${ino}:`;
    for (const k of this.cache.keys()) if (k.startsWith(prefix)) this.cache.delete(k);
  }
}

function cacheKey(st: FileStat): string {
  return `${st.dev}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}:${st.size}`;
}
