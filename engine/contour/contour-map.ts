/**
 * The contour map: the set of security state points learned while training, with counts and
 * valid/forensic flags, in first-seen order (tsem-model.md §2.6, §8 item 5). Pure.
 */

export interface Point {
  readonly coefficient: Buffer;
  readonly hex: string;
  /** false for forensic points: first seen after the map was sealed (until accepted). */
  valid: boolean;
  /** Position in first-seen order. */
  readonly index: number;
  count: number;
  /** Engine time (ms since the epoch) first and last seen; absent when no clock was given. */
  first?: number;
  last?: number;
  /** A description of the event that produced it is kept (in the store, engine/event/describe). */
  described: boolean;
}

export class ContourMap {
  private readonly byHex = new Map<string, Point>();
  /** First-seen order: the measurement's extension order. */
  private readonly ordered: Point[] = [];

  get size(): number {
    return this.ordered.length;
  }

  get(hex: string): Point | undefined {
    return this.byHex.get(hex);
  }

  /** Adds a new point (the caller checked it is absent); count 1 unless given. */
  add(
    coefficient: Buffer,
    valid: boolean,
    more: Partial<Pick<Point, 'count' | 'first' | 'last' | 'described'>> = {}
  ): Point {
    const hex = coefficient.toString('hex');
    if (this.byHex.has(hex)) throw new RangeError(`point ${hex} already in the contour map`);
    const p: Point = {
      coefficient,
      hex,
      valid,
      index: this.ordered.length,
      count: more.count ?? 1,
      first: more.first,
      last: more.last,
      described: more.described ?? false,
    };
    this.byHex.set(hex, p);
    this.ordered.push(p);
    return p;
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
