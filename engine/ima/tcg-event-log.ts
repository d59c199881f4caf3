/**
 * Replay of a TCG PC Client crypto-agile firmware event log into PCRs per bank (ima.md §2, last
 * paragraph), so boot_aggregate can be recomputed from `binary_bios_measurements`.
 */
import { hashBytes } from './hash-algo.js';

/** TPM_ALG_ID → kernel hash name (TCG Algorithm Registry). */
const TPM_ALGS: Readonly<Record<number, string>> = {
  0x04: 'sha1',
  0x0b: 'sha256',
  0x0c: 'sha384',
  0x0d: 'sha512',
  0x12: 'sm3',
};
const EV_NO_ACTION = 3;
const SPEC_ID = 'Spec ID Event03\0';

/** PCR values 0–23 per bank name, each starting at zero. */
export type PcrSet = Map<string, Buffer[]>;

export class EventLogError extends Error {
  override readonly name = 'EventLogError';
}

/** Replays every digest of every event (EV_NO_ACTION skipped) into a PcrSet. */
export function replayEventLog(buf: Buffer): PcrSet {
  const fail = (at: number, what: string): never => {
    throw new EventLogError(`event log offset ${at}: ${what}`);
  };
  if (buf.length < 32) fail(0, 'too short for the Spec ID event');
  // First event: TCG_PCR_EVENT (SHA-1 format) holding TCG_EfiSpecIDEvent.
  const evSize = buf.readUInt32LE(28);
  const spec = buf.subarray(32, 32 + evSize);
  if (spec.subarray(0, 16).toString('latin1') !== SPEC_ID)
    fail(32, `expected '${SPEC_ID.slice(0, -1)}' (crypto-agile log)`);
  const count = spec.readUInt32LE(24);
  const sizes = new Map<number, number>();
  for (let i = 0; i < count; i++)
    sizes.set(spec.readUInt16LE(28 + 4 * i), spec.readUInt16LE(30 + 4 * i));
  const pcrs: PcrSet = new Map();
  for (const [alg, size] of sizes) {
    const name = TPM_ALGS[alg];
    if (name)
      pcrs.set(
        name,
        Array.from({ length: 24 }, () => Buffer.alloc(size))
      );
  }
  let o = 32 + evSize;
  while (o + 12 <= buf.length) {
    const start = o;
    const pcr = buf.readUInt32LE(o);
    const type = buf.readUInt32LE(o + 4);
    const n = buf.readUInt32LE(o + 8);
    o += 12;
    const digests: [number, Buffer][] = [];
    for (let i = 0; i < n; i++) {
      if (o + 2 > buf.length) fail(start, 'ends inside a digest list');
      const alg = buf.readUInt16LE(o);
      const size =
        sizes.get(alg) ??
        fail(start, `digest algorithm 0x${alg.toString(16)} not in the Spec ID event`);
      digests.push([alg, buf.subarray(o + 2, o + 2 + size)]);
      o += 2 + size;
    }
    if (o + 4 > buf.length) fail(start, 'ends before the event size');
    o += 4 + buf.readUInt32LE(o);
    if (o > buf.length) fail(start, 'event data runs past the end');
    if (type === EV_NO_ACTION || pcr > 23) continue;
    for (const [alg, d] of digests) {
      const name = TPM_ALGS[alg];
      const bank = name ? pcrs.get(name) : undefined;
      if (bank) bank[pcr] = hashBytes(name!, bank[pcr]!, d);
    }
  }
  return pcrs;
}

/**
 * Parses PCR listings: `N: hex` (tsspcrread), `PCR-NN hex` / `PCR-NN: hex` (evmctl, sysfs).
 * Other lines are ignored; returns index → value.
 */
export function parsePcrText(text: string): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const line of text.split('\n')) {
    const m = /^\s*(?:PCR-)?(\d{1,2}):?\s+((?:[0-9a-fA-F]{2}\s?)+)\s*$/.exec(line);
    if (m) out.set(Number(m[1]), Buffer.from(m[2]!.replace(/\s/g, ''), 'hex'));
  }
  return out;
}

/** evmctl `--pcrs` file: `PCR-NN <hex>` for 0–23 in order (evmctl read_one_bank matches sequentially). */
export function writeEvmctlPcrFile(values: ReadonlyMap<number, Buffer>, size: number): string {
  let out = '';
  for (let i = 0; i < 24; i++)
    out += `PCR-${String(i).padStart(2, '0')} ${(values.get(i) ?? Buffer.alloc(size)).toString('hex')}\n`;
  return out;
}
