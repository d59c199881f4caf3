/**
 * Reads a record-structured file in chunks through one reused buffer: each chunk goes to `feed`,
 * which consumes the complete records at its start; the incomplete rest moves to the front for
 * the next read. Reading the whole file at once costs more than the read itself (fresh memory
 * for every byte: page faults); a reused chunk stays in cache. Reads are synchronous: `feed` is
 * CPU work the thread does anyway, and a wait for each async read left the CPU idle.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Chunk size; a record larger than this grows the buffer. */
export const CHUNK = 256 * 1024;

/**
 * `feed(piece, last)` returns the bytes it consumed; `last` marks the end of the file. Returns
 * the bytes left unconsumed by the last feed.
 */
export function readInChunks(path: string, feed: (piece: Buffer, last: boolean) => number): number {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let filled = 0;
    for (;;) {
      const bytesRead = readSync(fd, buf, filled, buf.length - filled, null);
      filled += bytesRead;
      const last = bytesRead === 0;
      if (!last && filled < buf.length) continue;
      const used = feed(buf.subarray(0, filled), last);
      if (last) return filled - used;
      buf.copy(buf, 0, used, filled);
      filled -= used;
      // A buffer one record fills alone grows (a large record, or a malformed one that only the
      // last feed, at the end of the file, reports).
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(2 * buf.length);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
    }
  } finally {
    closeSync(fd);
  }
}
