/**
 * The contour map: the set of security state points learned while training, with counts and
 * valid/forensic flags, in first-seen order (tsem-model.md §2.6, §8 item 5). Pure.
 */

/**
 * One point. Compact on purpose (a map holds millions): the coefficient is kept once, as a byte
 * string (one latin1 char per byte, the form the mapper's hash yields and the map's key), and its
 * Buffer and hex are made when asked for (store, forensics, wire), never kept.
 */
export class Point {
  /** false for forensic points: first seen after the map was sealed (until accepted). */
  valid: boolean;
  count: number;
  /** Engine time (ms since the epoch) first and last seen; absent when no clock was given. */
  first?: number;
  last?: number;
  /** A description of the event that produced it is kept (in the store, engine/event/describe). */
  described: boolean;

  constructor(
    /** The coefficient's bytes as a latin1 string (see coefficientKey). */
    readonly key: string,
    valid: boolean,
    /** Position in first-seen order. */
    readonly index: number,
    count: number,
    first: number | undefined,
    last: number | undefined,
    described: boolean
  ) {
    this.valid = valid;
    this.count = count;
    this.first = first;
    this.last = last;
    this.described = described;
  }

  /** The coefficient (a new Buffer on each call). */
  get coefficient(): Buffer {
    return Buffer.from(this.key, 'latin1');
  }

  /** The coefficient as lowercase hex (made on each call). */
  get hex(): string {
    return Buffer.from(this.key, 'latin1').toString('hex');
  }
}

/** Coefficient Buffers kept for verdicts of busy points (a power of two). */
const RECENT_BUFFERS = 1024;

/** The map key of a coefficient: its bytes as a latin1 string. */
export function coefficientKey(coefficient: Uint8Array): string {
  return Buffer.from(coefficient.buffer, coefficient.byteOffset, coefficient.length).toString(
    'latin1'
  );
}

/** The map key of a lowercase hex coefficient (the form points are shown in); else none. */
function keyOfHex(hex: string): string | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex').toString('latin1');
}

/**
 * The first four bytes of a key as an int32: the map's index. Hand-written: a fresh 32-byte string
 * as a Map key costs V8 hashing its characters on every lookup (about 200 ns, measured), an int32
 * key and one string compare about 60 ns.
 */
function prefixOf(key: string): number {
  return (
    key.charCodeAt(0) |
    (key.charCodeAt(1) << 8) |
    (key.charCodeAt(2) << 16) |
    (key.charCodeAt(3) << 24)
  );
}

export class ContourMap {
  /** Points by the first four bytes of their coefficient (the first point with those bytes). */
  private readonly byPrefix = new Map<number, Point>();
  /** Points whose first four bytes another point has: rare (digests are uniform). */
  private readonly sharedPrefix = new Map<string, Point>();
  /**
   * Coefficient Buffers of recently seen points, direct-mapped by index (see coefficientOf); as
   * many slots as points up to RECENT_BUFFERS, so a small namespace does not pay for 1024 (a host
   * may hold thousands of namespaces).
   */
  private recentPoints: (Point | undefined)[] = [];
  private recentBuffers: (Buffer | undefined)[] = [];
  /** First-seen order: the measurement's extension order. */
  private readonly ordered: Point[] = [];

  get size(): number {
    return this.ordered.length;
  }

  get(hex: string): Point | undefined {
    const key = keyOfHex(hex);
    return key === undefined ? undefined : this.getByKey(key);
  }

  /** The hot path's lookup: by the coefficient's bytes as a latin1 string (no hex made). */
  getByKey(key: string): Point | undefined {
    const p = this.byPrefix.get(prefixOf(key));
    if (p === undefined) return undefined;
    if (p.key === key) return p;
    return this.sharedPrefix.size === 0 ? undefined : this.sharedPrefix.get(key);
  }

  /** Adds a new point (the caller checked it is absent); count 1 unless given. */
  add(
    coefficient: Buffer | string,
    valid: boolean,
    more: Partial<Pick<Point, 'count' | 'first' | 'last' | 'described'>> = {}
  ): Point {
    const key = typeof coefficient === 'string' ? coefficient : coefficientKey(coefficient);
    if (key.length < 4) throw new RangeError(`coefficient of ${key.length} bytes`);
    if (this.getByKey(key)) {
      const hex = Buffer.from(key, 'latin1').toString('hex');
      throw new RangeError(`point ${hex} already in the contour map`);
    }
    const p = new Point(
      key,
      valid,
      this.ordered.length,
      more.count ?? 1,
      more.first,
      more.last,
      more.described ?? false
    );
    const prefix = prefixOf(key);
    if (this.byPrefix.has(prefix)) this.sharedPrefix.set(key, p);
    else this.byPrefix.set(prefix, p);
    this.ordered.push(p);
    return p;
  }

  /**
   * A point's coefficient for a verdict: the busy points' Buffers are kept in a small
   * direct-mapped cache, so a repeated event makes none (a Buffer per point would undo the
   * compact storage; one per event was measured at about 5% of the model's time).
   */
  coefficientOf(p: Point): Buffer {
    if (this.recentPoints.length < RECENT_BUFFERS && this.recentPoints.length < this.size) {
      // Grown past its slots: twice as many (a power of two), starting empty.
      const n = Math.min(RECENT_BUFFERS, 2 ** Math.ceil(Math.log2(this.size)));
      this.recentPoints = new Array<Point | undefined>(n).fill(undefined);
      this.recentBuffers = new Array<Buffer | undefined>(n).fill(undefined);
    }
    const slot = p.index & (this.recentPoints.length - 1);
    if (this.recentPoints[slot] === p) return this.recentBuffers[slot]!;
    const b = p.coefficient;
    this.recentPoints[slot] = p;
    this.recentBuffers[slot] = b;
    return b;
  }

  points(): readonly Point[] {
    return this.ordered;
  }

  validPoints(): Point[] {
    return this.ordered.filter((p) => p.valid);
  }

  forensicPoints(): Point[] {
    return this.ordered.filter((p) => !p.valid);
  }
}
