/**
 * Uniqueness compression for parsing: a workload repeats the same COE and CELL text over and over
 * (the same files, sockets and credentials) while only the header changes (pid, number, ts). The
 * cache keys the exact COE + CELL text (with the event type, which picks the CELL schema) and
 * reuses the typed COE and CELL of its first, fully validated parse; only the small header is
 * parsed per event. Identical text parses to identical values, so verdicts cannot differ from the
 * full parser's; anything unusual (other key order, a second "event" member, export records) takes
 * the full parser.
 */
import type { EventHeader, TsemEvent, TsemRecord } from './event.js';
import type { Cell } from './hooks.js';
import type { TsemEventJson } from '../../proto/kernel-json.js';
import { ParseError } from '../../common/errors.js';
import { HeaderScanner } from './header-scan.js';
import {
  eventFromParts,
  eventWithHeader,
  formatKernelJson,
  type ParseOptions,
  parseEventObject,
  parseRecordLine,
} from './parse-json.js';
import { markShared } from './shared-values.js';
import { repairKernelJson } from './lenient-json.js';
import type { Coe } from './structures.js';

/** Distinct COE+CELL texts remembered (the engine keeps one cache per digest size, shared by its
 * namespaces); the cache restarts empty when full. */
export const PARSE_CACHE_ENTRIES = 32_768;

const PREFIX = Buffer.from('{"event": {');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE = 0x7d;

/** Index of the `}` closing the flat header object that opens at `start` (strings skipped), or -1. */
function headerEnd(line: Buffer, start: number): number {
  let inString = false;
  for (let i = start + 1; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === CLOSE) return i;
    else if (c === 0x7b) return -1; // a nested object: not the kernel's flat header
  }
  return -1;
}

/** Lines remembered under one hash before the oldest is dropped (a collision costs a miss). */
const MAX_BUCKET = 4;

/** Files `entry` under hash `h`, dropping the bucket's oldest when it is full. */
function addToBucket<T>(m: Map<number, T[]>, h: number, entry: T): void {
  const bucket = m.get(h);
  if (!bucket) m.set(h, [entry]);
  else {
    if (bucket.length >= MAX_BUCKET) bucket.shift();
    bucket.push(entry);
  }
}

/**
 * FNV-1a over the line's bytes from `from`: the line cache's key. Hand-written: a string of the
 * line's text (the key before) costs a copy, a concatenation and V8 hashing it again, per event.
 */
function bytesHash(b: Buffer, from: number): number {
  const n = b.length - from;
  let h = 0x811c9dc5 ^ n;
  // Four bytes per step through a DataView (any alignment): a quarter of the loop's iterations.
  const dv = new DataView(b.buffer, b.byteOffset + from, n);
  const words = n & ~3;
  for (let i = 0; i < words; i += 4) h = Math.imul(h ^ dv.getInt32(i, true), 0x01000193);
  for (let i = from + words; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h;
}

/** The line starts with `{"event": {` (compared here: cheaper than a call into Buffer.compare). */
function hasPrefix(line: Buffer): boolean {
  if (line.length <= PREFIX.length) return false;
  for (let i = 0; i < PREFIX.length; i++) if (line[i] !== PREFIX[i]) return false;
  return true;
}

/** A cached kernel line: the event type and the exact text after the header, with its values. */
interface LineEntry {
  readonly type: string;
  readonly rest: Buffer;
  readonly coe: Coe;
  readonly cell: Cell;
}

/** The COE fields a structured event's values are keyed by (the COE schema's). */
const COE_KEYS = ['uid', 'euid', 'suid', 'gid', 'egid', 'sgid', 'fsuid', 'fsgid', 'capeff'];

/** A cached structured event: what its values were parsed from (compared exactly on a hit). */
interface StructuredEntry {
  readonly type: string;
  readonly coeText: readonly (string | undefined)[];
  readonly fileDigest: string;
  readonly cellJson: Buffer;
  readonly coe: Coe;
  readonly cell: Cell;
}

/** FNV-1a of a string's UTF-16 code units (and its length), continuing from `h`. */
function stringHash(seed: number, s: string | undefined): number {
  if (s === undefined) return Math.imul(seed ^ 0x100, 0x01000193);
  let h = Math.imul(seed ^ s.length, 0x01000193);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** The structured cache's key parts, hashed without a string made of them (the key before). */
function structuredHash(s: StructuredInput, type: string, fileDigest: string): number {
  let h = stringHash(bytesHash(s.cellJson, 0), type);
  for (const k of COE_KEYS) h = stringHash(h, s.coe[k]);
  return stringHash(h, fileDigest);
}

function sameStructured(e: StructuredEntry, s: StructuredInput, type: string, digest: string) {
  if (e.type !== type || e.fileDigest !== digest || !e.cellJson.equals(s.cellJson)) return false;
  for (let i = 0; i < COE_KEYS.length; i++) if (e.coeText[i] !== s.coe[COE_KEYS[i]!]) return false;
  return true;
}

export interface StructuredInput {
  readonly header: Record<string, string>;
  readonly coe: Record<string, string>;
  readonly cellJson: Buffer;
  /** Fills `file.digest` of a CELL that has none (proto StructuredEvent.file_digest). */
  readonly fileDigest?: string;
}

export class EventParseCache {
  /** Structured events by structuredHash, each checked part for part. */
  private structured = new Map<number, StructuredEntry[]>();
  private structuredCount = 0;
  /** Kernel lines by bytesHash of their text after the header, each checked byte for byte. */
  private lines = new Map<number, LineEntry[]>();
  private lineCount = 0;
  private readonly scanner: HeaderScanner;
  hits = 0;
  misses = 0;

  constructor(
    readonly digestSize: number,
    private readonly max = PARSE_CACHE_ENTRIES
  ) {
    this.scanner = new HeaderScanner(digestSize);
  }

  private rememberStructured(
    h: number,
    s: StructuredInput,
    type: string,
    fileDigest: string,
    e: TsemEvent
  ): void {
    if (this.structuredCount >= this.max) {
      this.structured = new Map();
      this.structuredCount = 0;
    }
    markShared(e.coe);
    markShared(e.cell);
    const entry: StructuredEntry = {
      type,
      coeText: COE_KEYS.map((k) => s.coe[k]),
      fileDigest,
      // A copy: the received bytes may be a view of a whole message.
      cellJson: Buffer.from(s.cellJson),
      coe: e.coe,
      cell: e.cell,
    };
    addToBucket(this.structured, h, entry);
    this.structuredCount++;
  }

  private findLine(h: number, type: string, line: Buffer, from: number): LineEntry | undefined {
    const bucket = this.lines.get(h);
    if (!bucket) return undefined;
    const n = line.length - from;
    for (const e of bucket) {
      if (e.type === type && e.rest.length === n && line.compare(e.rest, 0, n, from) === 0)
        return e;
    }
    return undefined;
  }

  private rememberLine(h: number, type: string, line: Buffer, from: number, e: TsemEvent): void {
    if (this.lineCount >= this.max) {
      this.lines = new Map();
      this.lineCount = 0;
    }
    markShared(e.coe);
    markShared(e.cell);
    const entry = { type, rest: Buffer.from(line.subarray(from)), coe: e.coe, cell: e.cell };
    addToBucket(this.lines, h, entry);
    this.lineCount++;
  }

  /** A raw kernel line (trajectory line or export record), as parseRecordLine. */
  parseLine(line: Buffer, opts: ParseOptions): TsemRecord {
    if (!hasPrefix(line)) return parseRecordLine(line, opts);
    // The header in the kernel's plain form is scanned from the bytes (its end found on the way);
    // anything else is parsed as JSON and checked by the schema (the reference path), which names
    // what is wrong.
    const scanned: EventHeader | undefined = this.scanner.scanFrom(line, PREFIX.length - 1);
    let header: { type?: unknown } | undefined;
    let end = this.scanner.closeAt;
    if (!scanned) {
      end = headerEnd(line, PREFIX.length - 1);
      if (end < 0) return parseRecordLine(line, opts);
      try {
        header = JSON.parse(line.toString('latin1', PREFIX.length - 1, end + 1)) as {
          type?: unknown;
        };
      } catch {
        return parseRecordLine(line, opts); // the full parser names what is wrong
      }
      if (typeof header.type !== 'string') return parseRecordLine(line, opts);
    }
    const type = scanned ? scanned.type : (header!.type as string);
    const h = bytesHash(line, end + 1);
    const hit = this.findLine(h, type, line, end + 1);
    if (!hit) {
      this.misses++;
      const rec = parseRecordLine(line, opts);
      // A second top-level "event" member would make JSON.parse use it instead of the first: such
      // text is never cached (checked once here, since the key is that very text).
      if (rec.kind === 'event' && line.indexOf('"event"', end + 1, 'latin1') < 0)
        this.rememberLine(h, type, line, end + 1, rec.event);
      return rec;
    }
    this.hits++;
    const text = () => (repairKernelJson(line) ?? line).toString('utf8').trimEnd();
    const event = scanned
      ? eventFromParts(scanned, hit.coe, hit.cell, text)
      : eventWithHeader(
          header,
          hit.coe,
          hit.cell,
          text,
          Object.assign({}, opts, { encoding: 'latin1' as const })
        );
    return { kind: 'event', event };
  }

  /** A structured wire event: header and COE strings plus the CELL's JSON bytes. */
  parseStructured(s: StructuredInput, opts: ParseOptions): TsemEvent {
    const type = s.header['type'] ?? '';
    // An empty digest fills nothing (structuredToObject), as an absent one.
    const fileDigest = s.fileDigest ?? '';
    const h = structuredHash(s, type, fileDigest);
    const hit = this.structured.get(h)?.find((e) => sameStructured(e, s, type, fileDigest));
    if (!hit) {
      this.misses++;
      const e = parseEventObject(structuredToObject(s, opts), opts);
      this.rememberStructured(h, s, type, fileDigest, e);
      return e;
    }
    this.hits++;
    const text = () => formatKernelJson(structuredToObject(s, opts));
    const header = this.scanner.fromStrings(s.header);
    return header
      ? eventFromParts(header, hit.coe, hit.cell, text)
      : eventWithHeader(
          s.header,
          hit.coe,
          hit.cell,
          text,
          Object.assign({}, opts, { encoding: 'utf8' as const })
        );
  }
}

/** The kernel-form object of a structured event (CELL JSON parsed, digest filled in). */
export function structuredToObject(s: StructuredInput, opts: ParseOptions): TsemEventJson {
  const type = s.header['type'] ?? '';
  let cell: unknown = {};
  if (s.cellJson.length > 0) {
    try {
      cell = parseLenient(s.cellJson);
    } catch (err) {
      throw new ParseError(
        `expected a JSON object (${(err as Error).message})`,
        opts.lineNumber,
        'cell_json',
        opts.source
      );
    }
  }
  if (s.fileDigest && typeof cell === 'object' && cell !== null) {
    const file = (cell as { file?: Record<string, unknown> }).file;
    if (file && file['digest'] === undefined) file['digest'] = s.fileDigest;
  }
  return { event: s.header, COE: s.coe, [type]: cell } as unknown as TsemEventJson;
}

/** Strict JSON first; kernel-style raw control bytes in strings repaired (lenient-json.ts). */
function parseLenient(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch (err) {
    const fixed = repairKernelJson(b);
    if (!fixed) throw err;
    return JSON.parse(fixed.toString('utf8'));
  }
}
