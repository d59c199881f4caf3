/**
 * Little-endian, fixed-width serialization of CELL and COE preimages (tsem-model.md §2.1):
 * native x86_64 struct widths, `str(s) = u32le(len) || bytes`, no NUL, no padding.
 */
export class ByteWriter {
  private buf: Buffer;
  private len = 0;
  /** Views of `buf` by length: preimage lengths repeat, and a view per hash is an allocation. */
  private views: (Buffer | undefined)[] = [];

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
    this.views = [];
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16LE(v & 0xffff, this.len);
    this.len += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    // Byte stores: several per event, and cheaper than writeUInt32LE's range checks.
    const b = this.buf;
    const at = this.len;
    const x = v >>> 0;
    b[at] = x;
    b[at + 1] = x >>> 8;
    b[at + 2] = x >>> 16;
    b[at + 3] = x >>> 24;
    this.len = at + 4;
    return this;
  }

  u64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.len);
    this.len += 8;
    return this;
  }

  /** u16 in network (big-endian) order: a raw port as the kernel stores it. */
  u16be(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
    return this;
  }

  /** `str(s)` of a latin1 string (one byte per char) without making a Buffer of it. */
  strLatin1(s: string): this {
    return this.u32(s.length).latin1(s);
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** A latin1 string (one char per byte), e.g. a digest from DigestAlgorithm.hashLatin1. */
  latin1(s: string): this {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    const at = this.len;
    // Digests (32-64 chars) are copied in JavaScript: cheaper than a call into buf.write.
    if (n <= 64) for (let i = 0; i < n; i++) buf[at + i] = s.charCodeAt(i);
    else buf.write(s, at, n, 'latin1');
    this.len += n;
    return this;
  }

  /** `b` copied into a zero-filled field of `width` bytes (truncated if longer). */
  fixed(b: Uint8Array, width: number): this {
    this.ensure(width);
    const n = Math.min(b.length, width);
    // A view only when truncating: subarray allocates, and this runs several times per event.
    this.buf.set(n === b.length ? b : b.subarray(0, n), this.len);
    // Padding is short (at most a digest): a loop beats a call into buf.fill.
    for (let i = this.len + n; i < this.len + width; i++) this.buf[i] = 0;
    this.len += width;
    return this;
  }

  /** §2.1 `str(s) = u32le(strlen(s)) || bytes(s)`. */
  str(b: Uint8Array): this {
    return this.u32(b.length).bytes(b);
  }

  /** A view of the bytes written so far (valid until the next write). */
  view(): Buffer {
    const len = this.len;
    return (this.views[len] ??= this.buf.subarray(0, len));
  }

  reset(): this {
    this.len = 0;
    return this;
  }
}
