/**
 * A CRC scan of LevelDB's write-ahead logs (`NNNNNN.log`) before the database is opened. LevelDB
 * without paranoid checks (classic-level offers none) drops a record whose checksum fails, and the
 * rest of its 32 KiB block, without a word; a start must never do that silently.
 *
 * Log format (LevelDB's log_format document): 32 KiB blocks of records `crc32c (masked, u32le) ||
 * length (u16le) || type (u8) || data`, the CRC over type and data; a block tail shorter than a
 * header is zero-filled. A record cut short at the very end of the newest log is a write that a
 * crash interrupted (never acknowledged): reported as a torn tail, not as corruption.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const BLOCK = 32 * 1024;
const HEADER = 7;
const MASK_DELTA = 0xa282ead8;

/** CRC-32C (Castagnoli), reflected, table-driven: the checksum LevelDB's logs carry. */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** LevelDB stores crc32c masked, so that a CRC of data holding CRCs is not itself a CRC. */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

export interface WalProblem {
  readonly file: string;
  readonly offset: number;
  readonly kind: 'checksum' | 'length' | 'type' | 'torn-tail';
  /** Namespaces whose keys can still be read in the damaged record (best effort). */
  readonly namespaces: readonly string[];
}

const NS_KEY = /!(?:ns:|meta!)([A-Za-z0-9][A-Za-z0-9._:@-]{0,127})!?/g;

function namespacesIn(data: Buffer): string[] {
  const out = new Set<string>();
  for (const m of data.toString('latin1').matchAll(NS_KEY)) out.add(m[1]!);
  return [...out];
}

/** Checks one log's records; the last problem at the very end of the file may be a torn tail. */
export function scanLog(file: string, buf: Buffer, newest: boolean): WalProblem[] {
  const problems: WalProblem[] = [];
  for (let block = 0; block < buf.length; block += BLOCK) {
    const end = Math.min(block + BLOCK, buf.length);
    let at = block;
    while (end - at >= HEADER) {
      const length = buf.readUInt16LE(at + 4);
      const type = buf[at + 6]!;
      if (type === 0 && length === 0 && buf.readUInt32LE(at) === 0) break; // zero-filled tail
      const dataEnd = at + HEADER + length;
      const problem = (kind: WalProblem['kind']) =>
        problems.push({
          file,
          offset: at,
          kind,
          namespaces: namespacesIn(buf.subarray(at + HEADER, Math.min(dataEnd, end))),
        });
      if (dataEnd > end) {
        // Cut short: at the end of the newest log that is an interrupted last write.
        problem(newest && end === buf.length ? 'torn-tail' : 'length');
        break;
      }
      if (type < 1 || type > 4) {
        problem('type');
        break;
      }
      const stored = buf.readUInt32LE(at);
      if (maskCrc(crc32c(buf, at + 6, dataEnd)) !== stored) {
        const last = newest && dataEnd === buf.length;
        problem(last ? 'torn-tail' : 'checksum');
      }
      at = dataEnd;
    }
  }
  return problems;
}

/** Every problem in the store's write-ahead logs (a missing directory has none). */
export function scanWriteAheadLogs(dir: string): WalProblem[] {
  let logs: string[];
  try {
    logs = readdirSync(dir)
      .filter((f) => /^\d+\.log$/.test(f))
      .sort((a, b) => Number(a.slice(0, -4)) - Number(b.slice(0, -4)));
  } catch {
    return [];
  }
  return logs.flatMap((f, i) => scanLog(f, readFileSync(join(dir, f)), i === logs.length - 1));
}
