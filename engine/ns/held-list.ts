/**
 * A trajectory or forensics list as the model holds it. Each entry's coefficient is kept as its
 * contour point's key (the latin1 string the map already holds, so an entry costs a reference,
 * not a Buffer and an object), and its line only until it is released: once the store holds an
 * entry, only the newest lines stay in memory (NamespaceModel.releaseLines; entry-lines.ts reads
 * the others back). Measured: about 130 bytes less per learned event than an object with a
 * Buffer per entry (docs/performance.md §4).
 */
import type { HeldEntry } from './namespace-types.js';

export class HeldList implements Iterable<HeldEntry> {
  private readonly keys: string[] = [];
  private readonly lines: (string | undefined)[] = [];
  /** Entries below this index have had their lines released. */
  private releasedTo = 0;

  get length(): number {
    return this.keys.length;
  }

  /** How many entries' lines live only in the store. */
  get released(): number {
    return this.releasedTo;
  }

  /** Appends an entry: its coefficient as a latin1 key (shared with its point) and its line. */
  push(key: string, line: string | undefined): void {
    this.keys.push(key);
    this.lines.push(line);
  }

  /** Entry `i` (negative counts from the end, as Array.at): a new object with a new Buffer. */
  at(i: number): HeldEntry | undefined {
    const k = i < 0 ? this.keys.length + i : i;
    const key = this.keys[k];
    if (key === undefined) return undefined;
    const line = this.lines[k];
    const coefficient = Buffer.from(key, 'latin1');
    return line === undefined ? { coefficient } : { coefficient, line };
  }

  /** Entry `i`'s coefficient as lowercase hex. */
  hex(i: number): string | undefined {
    const key = this.keys[i];
    return key === undefined ? undefined : Buffer.from(key, 'latin1').toString('hex');
  }

  /** Entry `i`'s line, when memory still holds it. */
  line(i: number): string | undefined {
    return this.lines[i];
  }

  /** Drops the lines of entries below `to` (never raising what is already released). */
  release(to: number): void {
    for (let i = this.releasedTo; i < to; i++) this.lines[i] = undefined;
    this.releasedTo = Math.max(this.releasedTo, to);
  }

  slice(from = 0, to = this.keys.length): HeldEntry[] {
    const out: HeldEntry[] = [];
    const end = Math.min(to, this.keys.length);
    for (let i = Math.max(0, from); i < end; i++) out.push(this.at(i)!);
    return out;
  }

  map<T>(fn: (e: HeldEntry, i: number) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.keys.length; i++) out.push(fn(this.at(i)!, i));
    return out;
  }

  forEach(fn: (e: HeldEntry, i: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) fn(this.at(i)!, i);
  }

  every(fn: (e: HeldEntry, i: number) => boolean): boolean {
    for (let i = 0; i < this.keys.length; i++) if (!fn(this.at(i)!, i)) return false;
    return true;
  }

  *[Symbol.iterator](): Iterator<HeldEntry> {
    for (let i = 0; i < this.keys.length; i++) yield this.at(i)!;
  }
}
