/**
 * The kernel-line scanner for the event header (tsem-model.md §1.2): reads the flat header object
 * `{"pid": "1000", "type": "file_open", …}` straight from the line's bytes into a typed header,
 * without JSON.parse, an intermediate object or the schema walk. It takes only the kernel's plain
 * form (string values without escapes, plain decimal numbers, each key once) and returns undefined
 * for anything else, so the caller falls back to the reference parser, which gives the same value
 * or names the error. Hand-written: the header is parsed for every event (the COE and CELL of a
 * repeated event come from the parse cache).
 */
import type { EventHeader } from './event.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const U32_LIMIT = 2 ** 32;
const U64_LIMIT = 1n << 64n;
/** Distinct TASK_IDs remembered per scanner: tasks repeat, so their Buffers are shared. */
const MAX_INTERNED = 4096;

type Field = 'u32' | 'u64' | 'text' | 'digest';
const FIELDS: Record<string, [keyof EventHeader, Field]> = {
  pid: ['pid', 'u32'],
  ppid: ['ppid', 'u32'],
  tnum: ['tnum', 'u64'],
  context: ['context', 'u64'],
  number: ['number', 'u64'],
  process: ['process', 'text'],
  type: ['type', 'text'],
  ttd: ['ttd', 'u64'],
  p_ttd: ['pTtd', 'u64'],
  task_id: ['taskId', 'digest'],
  p_task_id: ['pTaskId', 'digest'],
  ts: ['ts', 'u64'],
  start: ['start', 'u64'],
  landlock: ['landlock', 'text'],
};

/** The header's keys in the reference's order, landlock apart (present only when given). */
const TEXT_KEYS = Object.keys(FIELDS).filter((k) => k !== 'landlock');

/** The header fields by a hash of their key's bytes (no string made per key); checked byte by byte. */
const BY_HASH = new Map<number, [Buffer, keyof EventHeader, Field]>();
for (const [k, [name, kind]] of Object.entries(FIELDS)) {
  const b = Buffer.from(k, 'latin1');
  BY_HASH.set(keyHash(b, 0, b.length), [b, name, kind]);
}

function keyHash(line: Buffer, a: number, b: number): number {
  let h = b - a;
  for (let i = a; i < b; i++) h = (Math.imul(h, 31) + line[i]!) | 0;
  return h;
}

function fieldOf(
  line: Buffer,
  a: number,
  b: number
): [Buffer, keyof EventHeader, Field] | undefined {
  const f = BY_HASH.get(keyHash(line, a, b));
  if (!f || f[0].length !== b - a) return undefined;
  for (let i = a; i < b; i++) if (line[i] !== f[0][i - a]) return undefined;
  return f;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

function hexNibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Plain decimal digits in [a, b): no sign, no leading zero (else strtol reads octal). */
function plainDigits(line: Buffer, a: number, b: number): boolean {
  if (b <= a || (line[a] === 0x30 && b - a > 1)) return false;
  for (let i = a; i < b; i++) {
    const c = line[i]!;
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function smallDecimal(line: Buffer, a: number, b: number): number {
  let v = 0;
  for (let i = a; i < b; i++) v = v * 10 + (line[i]! - 0x30);
  return v;
}

/** Plain decimal text (no sign, no leading zero) of at most `max` digits, else -1. */
function plainText(s: string, max: number): number {
  const n = s.length;
  if (n === 0 || n > max || (s.charCodeAt(0) === 0x30 && n > 1)) return -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
  }
  return n;
}

/** A u32 given as text: absent (undefined), its value, or null when not a plain decimal. */
function u32Text(s: string | undefined): number | undefined | null {
  if (s === undefined) return undefined;
  if (typeof s !== 'string' || plainText(s, 10) < 0) return null;
  const v = Number(s);
  return v < U32_LIMIT ? v : null;
}

/** A u64 given as text: absent (undefined), its value, or null when not a plain decimal. */
function u64Text(s: string | undefined): bigint | undefined | null {
  if (s === undefined) return undefined;
  if (typeof s !== 'string' || plainText(s, 20) < 0) return null;
  const v = BigInt(s);
  return v < U64_LIMIT ? v : null;
}

export class HeaderScanner {
  private interned = new Map<number, { readonly hex: Buffer; readonly value: Buffer }>();

  constructor(readonly digestSize: number) {}

  /** Where the last header scanned by scanFrom closed (its `}`). */
  closeAt = -1;

  /**
   * The typed header of the object whose braces are at `open` and `close`, or undefined when it
   * is not in the kernel's plain form (the reference parser then decides).
   */
  scan(line: Buffer, open: number, close: number): EventHeader | undefined {
    if (line[close] !== CLOSE) return undefined;
    const h = this.scanTo(line, open, close + 1);
    return h && this.closeAt === close ? h : undefined;
  }

  /**
   * The typed header of the flat object opening at `open`, its `}` found while scanning (closeAt):
   * one pass over the header's bytes instead of finding its end first.
   */
  scanFrom(line: Buffer, open: number): EventHeader | undefined {
    return this.scanTo(line, open, line.length);
  }

  private scanTo(line: Buffer, open: number, limit: number): EventHeader | undefined {
    if (line[open] !== OPEN) return undefined;
    // Plain locals, not an object keyed by field name (a dictionary-mode object per event).
    let pid: number | undefined;
    let ppid: number | undefined;
    let tnum: bigint | undefined;
    let context: bigint | undefined;
    let number: bigint | undefined;
    let proc: string | undefined;
    let type: string | undefined;
    let ttd: bigint | undefined;
    let pTtd: bigint | undefined;
    let taskId: Buffer | undefined;
    let pTaskId: Buffer | undefined;
    let ts: bigint | undefined;
    let start: bigint | undefined;
    let landlock: string | undefined;
    let i = open + 1;
    for (;;) {
      while (i < limit && isSpace(line[i]!)) i++;
      if (i >= limit) return undefined;
      if (line[i] === CLOSE) break;
      // "key"
      if (line[i] !== QUOTE) return undefined;
      const k0 = ++i;
      while (i < limit && line[i] !== QUOTE) {
        if (line[i] === BACKSLASH || line[i]! < 0x20) return undefined;
        i++;
      }
      if (i >= limit) return undefined;
      const k1 = i++;
      while (i < limit && isSpace(line[i]!)) i++;
      if (line[i++] !== COLON) return undefined;
      while (i < limit && isSpace(line[i]!)) i++;
      // "value": a string without escapes or raw control bytes
      if (line[i] !== QUOTE) return undefined;
      const v0 = ++i;
      while (i < limit && line[i] !== QUOTE) {
        if (line[i] === BACKSLASH || line[i]! < 0x20) return undefined;
        i++;
      }
      if (i >= limit) return undefined;
      const v1 = i++;
      const field = fieldOf(line, k0, k1);
      if (field) {
        const [, name, kind] = field;
        const v = this.value(kind, line, v0, v1);
        if (v === undefined) return undefined;
        // A repeated key: JSON.parse keeps the last, the reference parser decides.
        let seen = false;
        switch (name) {
          case 'pid':
            seen = pid !== undefined;
            pid = v as number;
            break;
          case 'ppid':
            seen = ppid !== undefined;
            ppid = v as number;
            break;
          case 'tnum':
            seen = tnum !== undefined;
            tnum = v as bigint;
            break;
          case 'context':
            seen = context !== undefined;
            context = v as bigint;
            break;
          case 'number':
            seen = number !== undefined;
            number = v as bigint;
            break;
          case 'process':
            seen = proc !== undefined;
            proc = v as string;
            break;
          case 'type':
            seen = type !== undefined;
            type = v as string;
            break;
          case 'ttd':
            seen = ttd !== undefined;
            ttd = v as bigint;
            break;
          case 'pTtd':
            seen = pTtd !== undefined;
            pTtd = v as bigint;
            break;
          case 'taskId':
            seen = taskId !== undefined;
            taskId = v as Buffer;
            break;
          case 'pTaskId':
            seen = pTaskId !== undefined;
            pTaskId = v as Buffer;
            break;
          case 'ts':
            seen = ts !== undefined;
            ts = v as bigint;
            break;
          case 'start':
            seen = start !== undefined;
            start = v as bigint;
            break;
          case 'landlock':
            seen = landlock !== undefined;
            landlock = v as string;
            break;
          default:
            return undefined;
        }
        if (seen) return undefined;
      }
      while (i < limit && isSpace(line[i]!)) i++;
      if (i >= limit) return undefined;
      if (line[i] === CLOSE) break;
      if (line[i++] !== COMMA) return undefined;
    }
    this.closeAt = i;
    if (proc === undefined || type === undefined) return undefined;
    const h: EventHeader = {
      pid,
      ppid,
      tnum,
      context,
      number,
      process: proc,
      type,
      ttd,
      pTtd,
      taskId,
      pTaskId,
      ts,
      start,
    };
    return landlock !== undefined ? Object.assign({}, h, { landlock }) : h;
  }

  /**
   * The typed header of a structured event's header strings (tsem.proto StructuredEvent.header):
   * plain decimals and digests are read without the schema walk, TASK_IDs shared as scan shares
   * them. Anything else gives undefined, and the reference schema decides (the same value, or the
   * error naming the field).
   */
  fromStrings(h: Readonly<Record<string, string | undefined>>): EventHeader | undefined {
    if (typeof h['process'] !== 'string' || typeof h['type'] !== 'string') return undefined;
    // Every field but landlock, as the reference (an absent one undefined): one object shape.
    const out: Record<string, unknown> = {};
    for (const key of TEXT_KEYS) {
      const [name, kind] = FIELDS[key]!;
      const v = this.textValue(kind, h[key]);
      if (v === null) return undefined;
      out[name] = v;
    }
    const landlock = h['landlock'];
    if (landlock === undefined) return out as unknown as EventHeader;
    return typeof landlock === 'string'
      ? (Object.assign({}, out, { landlock }) as unknown as EventHeader)
      : undefined;
  }

  /** A field's value from its text: undefined when absent, null when not in the plain form. */
  private textValue(kind: Field, s: string | undefined): unknown {
    switch (kind) {
      case 'text':
        return s === undefined || typeof s === 'string' ? s : null;
      case 'u32':
        return u32Text(s);
      case 'u64':
        return u64Text(s);
      case 'digest':
        return this.digestText(s);
    }
  }

  /** A DIGEST given as text: absent (undefined), its shared Buffer, or null when not plain hex. */
  private digestText(s: string | undefined): Buffer | undefined | null {
    if (s === undefined) return undefined;
    if (typeof s !== 'string' || s.length !== 2 * this.digestSize) return null;
    // The same hash as digest() over the same (ASCII) bytes: one table for lines and strings.
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    const known = this.interned.get(h);
    if (known) {
      let same = true;
      for (let i = 0; i < s.length && same; i++) same = known.hex[i] === s.charCodeAt(i);
      if (same) return known.value;
    }
    const out = Buffer.allocUnsafe(this.digestSize);
    for (let i = 0; i < this.digestSize; i++) {
      const hi = hexNibble(s.charCodeAt(2 * i));
      const lo = hexNibble(s.charCodeAt(2 * i + 1));
      if (hi < 0 || lo < 0) return null;
      out[i] = (hi << 4) | lo;
    }
    if (this.interned.size >= MAX_INTERNED) this.interned = new Map();
    this.interned.set(h, { hex: Buffer.from(s, 'latin1'), value: out });
    return out;
  }

  private value(kind: Field, line: Buffer, a: number, b: number): unknown {
    switch (kind) {
      case 'text':
        return line.toString('latin1', a, b);
      case 'u32': {
        if (!plainDigits(line, a, b) || b - a > 10) return undefined;
        const v = smallDecimal(line, a, b);
        return v < U32_LIMIT ? v : undefined;
      }
      case 'u64': {
        if (!plainDigits(line, a, b) || b - a > 20) return undefined;
        if (b - a <= 15) return BigInt(smallDecimal(line, a, b));
        const v = BigInt(line.toString('latin1', a, b));
        return v < U64_LIMIT ? v : undefined;
      }
      case 'digest':
        return this.digest(line, a, b);
    }
  }

  /** A DIGEST of the namespace's size, its Buffer shared by every event naming the same one. */
  private digest(line: Buffer, a: number, b: number): Buffer | undefined {
    if (b - a !== 2 * this.digestSize) return undefined;
    // Found by a hash of the hex text and checked byte for byte: no string made per event.
    let h = 0x811c9dc5;
    for (let i = a; i < b; i++) h = Math.imul(h ^ line[i]!, 0x01000193);
    const known = this.interned.get(h);
    if (known && line.compare(known.hex, 0, b - a, a, b) === 0) return known.value;
    const out = Buffer.allocUnsafe(this.digestSize);
    for (let i = 0; i < this.digestSize; i++) {
      const hi = hexNibble(line[a + 2 * i]!);
      const lo = hexNibble(line[a + 2 * i + 1]!);
      if (hi < 0 || lo < 0) return undefined;
      out[i] = (hi << 4) | lo;
    }
    if (this.interned.size >= MAX_INTERNED) this.interned = new Map();
    // A colliding digest replaces the one interned under its hash: never a wrong Buffer.
    this.interned.set(h, { hex: Buffer.from(line.subarray(a, b)), value: out });
    return out;
  }
}
