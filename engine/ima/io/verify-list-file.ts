/**
 * Verifies a measurement list file. Binary lists take the fast path: read in chunks (see
 * chunked-read.ts) and verified from the bytes, with results and errors equal to
 * verifyBinaryList on the whole file, and so to parseBinaryList + verifyList.
 */
import { open } from 'node:fs/promises';
import { verifyList } from '../pcr-replay.js';
import {
  BinaryListVerifier,
  type BinaryListVerification,
  type BinaryVerifyOptions,
} from '../verify-binary-list.js';
import { readInChunks } from './chunked-read.js';
import { detectFormat, loadList, type ListFormat } from './load-list.js';

/** Synchronous, like the CPU work it is made of. */
export function verifyBinaryListFile(
  path: string,
  logBank: string,
  pcrBanks: readonly string[],
  opts: BinaryVerifyOptions = {}
): BinaryListVerification {
  const v = new BinaryListVerifier(logBank, pcrBanks, opts);
  return v.result(readInChunks(path, (piece, last) => v.feed(piece, last)));
}

/**
 * `loadList` then `verifyList` in one call (what `tsem ima verify-log` does), the format detected
 * as loadList does unless given; a binary list goes through verifyBinaryListFile.
 */
export async function verifyListFile(
  path: string,
  logBank: string,
  pcrBanks: readonly string[],
  opts: BinaryVerifyOptions & { format?: ListFormat } = {}
): Promise<BinaryListVerification & { format: ListFormat }> {
  const format = opts.format ?? detectFormat(await readHead(path, 64));
  if (format === 'binary')
    return { ...verifyBinaryListFile(path, logBank, pcrBanks, opts), format };
  const list = await loadList(path, logBank, format);
  return {
    ...verifyList(list.entries, logBank, pcrBanks, opts),
    trailingBytes: list.trailingBytes,
    format,
  };
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
