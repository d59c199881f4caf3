/**
 * Reads a measurement list file in either kernel format (detected when not given).
 */
import { readFile } from 'node:fs/promises';
import { digestSize } from '../hash-algo.js';
import { parseAsciiList } from '../measurement-list-ascii.js';
import { parseBinaryList } from '../measurement-list-binary.js';
import type { TemplateEntry } from '../template-entry.js';

export type ListFormat = 'binary' | 'ascii';

/** ASCII lists start with `%2d ` then hex; binary ones with a little-endian u32 PCR index. */
export function detectFormat(buf: Buffer): ListFormat {
  return /^ ?\d{1,2} [0-9a-f]{40}/.test(buf.subarray(0, 64).toString('latin1'))
    ? 'ascii'
    : 'binary';
}

export interface LoadedList {
  readonly entries: TemplateEntry[];
  readonly format: ListFormat;
  readonly trailingBytes: number;
}

/** Parses `path`; template digests are `logBank`-sized. Throws MeasurementListError on bad records. */
export async function loadList(
  path: string,
  logBank = 'sha1',
  format?: ListFormat
): Promise<LoadedList> {
  const buf = await readFile(path);
  const size = digestSize(logBank);
  if (size === undefined) throw new RangeError(`unknown log bank '${logBank}'`);
  const fmt = format ?? detectFormat(buf);
  if (fmt === 'ascii')
    return { entries: parseAsciiList(buf.toString('utf8'), size), format: fmt, trailingBytes: 0 };
  const parsed = parseBinaryList(buf, size);
  return { entries: parsed.entries, format: fmt, trailingBytes: parsed.trailingBytes };
}
