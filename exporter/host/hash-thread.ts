/**
 * The worker thread that hashes large files for FileDigester (hash-offload.ts): it reads the fd
 * it is given with pread from offset 0 (the fd stays open in the process while it works) and
 * answers the digest as hex, or the error's message and code.
 */
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export interface HashJob {
  readonly id: number;
  readonly fd: number;
  readonly algorithm: string;
}

export type HashAnswer =
  | { readonly id: number; readonly hex: string }
  | { readonly id: number; readonly error: string; readonly code?: string };

const CHUNK_BYTES = 1 << 20;
const buf = Buffer.allocUnsafe(CHUNK_BYTES);

parentPort?.on('message', (job: HashJob) => {
  try {
    const h = createHash(job.algorithm);
    for (let pos = 0; ;) {
      const n = readSync(job.fd, buf, 0, CHUNK_BYTES, pos);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      pos += n;
    }
    parentPort!.postMessage({ id: job.id, hex: h.digest('hex') } satisfies HashAnswer);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    parentPort!.postMessage({ id: job.id, error: e.message, code: e.code } satisfies HashAnswer);
  }
});
