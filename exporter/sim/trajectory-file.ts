/**
 * Reads a TSEM JSON trajectory or export file (one record per line, tsem-model.md §3.4) as raw
 * lines for the file replay source. Bytes are kept exact: pathnames are hashed as the kernel's raw
 * bytes (§1.5), so lines are never decoded here.
 */
import { createReadStream } from 'node:fs';

export interface TrajectoryLine {
  /** 1-based line number in the file (empty lines are counted, not yielded). */
  readonly lineNumber: number;
  /** The line's bytes without its `\n` (a CRLF file keeps its `\r`, which JSON reads as space). */
  readonly line: Buffer;
}

/** An unreadable trajectory file; the message names the file and the reason. */
export class TrajectoryFileError extends Error {
  override readonly name = 'TrajectoryFileError';
  readonly code = 'TSEM_UNAVAILABLE';
}

const NL = 0x0a;

/** Splits whole-file bytes into lines (pure). */
export function splitTrajectoryLines(data: Buffer): TrajectoryLine[] {
  const out: TrajectoryLine[] = [];
  let start = 0;
  let lineNumber = 1;
  while (start < data.length) {
    const nl = data.indexOf(NL, start);
    const end = nl < 0 ? data.length : nl;
    if (end > start) out.push({ lineNumber, line: Buffer.from(data.subarray(start, end)) });
    lineNumber++;
    start = end + 1;
  }
  return out;
}

/**
 * Streams the lines of a file, so a long trajectory never sits in memory whole. Each line is its
 * own copy of the bytes; a line split across read chunks is joined before it is yielded.
 */
export async function* readTrajectoryLines(
  path: string,
  opts: { signal?: AbortSignal } = {}
): AsyncGenerator<TrajectoryLine> {
  const stream = createReadStream(path, { signal: opts.signal });
  let pending: Buffer[] = [];
  let lineNumber = 1;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(NL); nl >= 0; nl = chunk.indexOf(NL, start)) {
        const line = Buffer.concat([...pending, chunk.subarray(start, nl)]);
        pending = [];
        if (line.length > 0) yield { lineNumber, line };
        lineNumber++;
        start = nl + 1;
      }
      if (start < chunk.length) pending.push(Buffer.from(chunk.subarray(start)));
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') throw err;
    throw new TrajectoryFileError(
      `trajectory file ${path}: expected a readable file of JSON lines (${(err as Error).message})`,
      { cause: err }
    );
  } finally {
    stream.destroy();
  }
  const last = Buffer.concat(pending);
  if (last.length > 0) yield { lineNumber, line: last };
}
