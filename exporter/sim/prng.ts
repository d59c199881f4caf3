/**
 * A small seeded PRNG (mulberry32) with the helpers the scenarios need. Every random choice of the
 * simulator goes through one of these, so a seed reproduces a run byte for byte.
 */

const UINT32_RANGE = 4294967296;

/** Checks that a seed is a uint32, the state size of mulberry32. */
export function checkSeed(seed: number, what = 'seed'): number {
  if (!Number.isInteger(seed) || seed < 0 || seed >= UINT32_RANGE) {
    throw new RangeError(`${what}: expected an integer in 0..4294967295, got ${seed}`);
  }
  return seed;
}

export class Prng {
  /** mulberry32 state: advanced by a Weyl step per draw. */
  private state: number;

  constructor(seed: number) {
    this.state = checkSeed(seed) >>> 0;
  }

  /** A uint32 (mulberry32 by Tommy Ettinger, public domain). */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextU32() / UINT32_RANGE;
  }

  /** An integer in lo..hi inclusive. */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo)
      throw new RangeError(`bad range ${lo}..${hi}`);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /** Fisher–Yates on a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
