/**
 * Parses TSEM event descriptions in the kernel's JSON form (tsem-model.md §1.2–1.4, §3.4):
 * trajectory/forensics lines (no wrapper) and export records (`{"export": {"type": ...}, ...}`).
 */
import { ParseError } from '../../common/errors.js';
import type { EventHeader, TsemEvent, TsemRecord } from './event.js';
import { CELL_SCHEMAS, type Cell, isDetailedHook, isHookName } from './hooks.js';
import type { TsemEventJson } from '../../proto/kernel-json.js';
import {
  digest,
  FieldError,
  object,
  optional,
  type SchemaContext,
  text,
  u32,
  u64,
} from './schema.js';
import { COE, type Coe } from './structures.js';
import { repairKernelJson } from './lenient-json.js';

export interface ParseOptions {
  /** Digest size of the namespace hash (DIGEST fields are 2·size hex characters). */
  readonly digestSize: number;
  /** 1-based line number and source name, for error messages. */
  readonly lineNumber?: number;
  readonly source?: string;
}

const HEADER = object({
  pid: optional(u32),
  ppid: optional(u32),
  tnum: optional(u64),
  context: optional(u64),
  number: optional(u64),
  process: text,
  type: text,
  ttd: optional(u64),
  p_ttd: optional(u64),
  task_id: optional(digest),
  p_task_id: optional(digest),
  ts: optional(u64),
  start: optional(u64),
  landlock: optional(text),
});

/** Kernel-style JSON formatting (§3.4): `"key": "value"` pairs separated by `", "`. */
export function formatKernelJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(String(value));
  const parts = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${JSON.stringify(k)}: ${formatKernelJson(v)}`
  );
  return `{${parts.join(', ')}}`;
}

/** An event whose trajectory line is formatted on first use (a prototype getter keeps the hot
 * path free of per-object accessors). */
class ParsedEvent implements TsemEvent {
  private text: string | (() => string);
  constructor(
    readonly header: EventHeader,
    readonly coe: Coe,
    readonly cell: Cell,
    readonly exportType: 'event' | 'async_event' | undefined,
    line: string | (() => string)
  ) {
    this.text = line;
  }
  get line(): string {
    if (typeof this.text !== 'string') this.text = this.text();
    return this.text;
  }
}

type HeaderJson = ReturnType<typeof HEADER>;

function headerOf(h: HeaderJson): EventHeader {
  return {
    pid: h.pid,
    ppid: h.ppid,
    tnum: h.tnum,
    context: h.context,
    number: h.number,
    process: h.process,
    type: h.type,
    ttd: h.ttd,
    pTtd: h.p_ttd,
    taskId: h.task_id,
    pTaskId: h.p_task_id,
    ts: h.ts,
    start: h.start,
    ...(h.landlock !== undefined ? { landlock: h.landlock } : {}),
  };
}

/** An event from a typed header (the header scanner's) and the parse cache's COE and CELL. */
export function eventFromParts(
  header: EventHeader,
  coe: Coe,
  cell: Cell,
  line: string | (() => string)
): TsemEvent {
  return new ParsedEvent(header, coe, cell, undefined, line);
}

/**
 * The typed header of an event whose COE and CELL are known already (the parse cache): checks
 * the header fields as the full parser does and errors the same way.
 */
export function eventWithHeader(
  headerJson: unknown,
  coe: Coe,
  cell: Cell,
  line: string | (() => string),
  opts: ParseOptions & { encoding: 'latin1' | 'utf8' }
): TsemEvent {
  try {
    return new ParsedEvent(
      headerOf(
        HEADER(headerJson, 'event', { digestSize: opts.digestSize, encoding: opts.encoding })
      ),
      coe,
      cell,
      undefined,
      line
    );
  } catch (err) {
    if (err instanceof FieldError) fail(opts, err.message, err.field);
    throw err;
  }
}

function fail(opts: ParseOptions, message: string, field?: string): never {
  throw new ParseError(message, opts.lineNumber, field, opts.source);
}

function asObject(v: unknown, opts: ParseOptions, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail(opts, v === undefined ? 'missing' : 'expected an object', field);
  return v as Record<string, unknown>;
}

/** Builds the typed event from a parsed JSON object; `line` gives its trajectory-line text, only
 * formatted when asked for (new points and alerts), not for every event. */
function toEvent(
  obj: Record<string, unknown>,
  line: string | (() => string),
  ctx: SchemaContext,
  opts: ParseOptions,
  exportType?: 'event' | 'async_event'
): TsemEvent {
  try {
    const h = HEADER(obj['event'], 'event', ctx);
    const coe = COE(obj['COE'], 'COE', ctx);
    if (!isHookName(h.type)) {
      throw new FieldError(
        'event.type',
        `unknown event type '${h.type}' (not in the TSEM hook catalogue, tsem-model.md §1.1)`
      );
    }
    let cell: Cell;
    if (isDetailedHook(h.type)) {
      const schema = CELL_SCHEMAS[h.type] as (v: unknown, p: string, c: SchemaContext) => unknown;
      cell = { hook: h.type, value: schema(obj[h.type], h.type, ctx) } as Cell;
    } else {
      cell = { hook: 'generic', name: h.type };
    }
    const header = headerOf(h);
    return new ParsedEvent(header, coe, cell, exportType, line);
  } catch (err) {
    if (err instanceof FieldError) fail(opts, err.message, err.field);
    throw err;
  }
}

function dispatch(
  obj: Record<string, unknown>,
  lineText: string | (() => string) | undefined,
  ctx: SchemaContext,
  opts: ParseOptions
): TsemRecord {
  if (obj['export'] === undefined) {
    return {
      kind: 'event',
      event: toEvent(obj, lineText ?? (() => formatKernelJson(obj)), ctx, opts),
    };
  }
  const exp = asObject(obj['export'], opts, 'export');
  const type = exp['type'];
  switch (type) {
    case 'aggregate': {
      const agg = asObject(obj['aggregate'], opts, 'aggregate');
      try {
        return { kind: 'aggregate', value: digest(agg['value'], 'aggregate.value', ctx) };
      } catch (err) {
        if (err instanceof FieldError) fail(opts, err.message, err.field);
        throw err;
      }
    }
    case 'event':
    case 'async_event': {
      const { export: _drop, ...body } = obj;
      return { kind: 'event', event: toEvent(body, () => formatKernelJson(body), ctx, opts, type) };
    }
    case 'log': {
      const log = asObject(obj['log'], opts, 'log');
      const fields = ['process', 'event', 'action'] as const;
      for (const f of fields)
        if (typeof log[f] !== 'string') fail(opts, 'missing or not a string', `log.${f}`);
      return {
        kind: 'log',
        process: log['process'] as string,
        event: log['event'] as string,
        action: log['action'] as string,
      };
    }
    default:
      return fail(
        opts,
        `expected one of aggregate, event, async_event, log; got ${JSON.stringify(type)}`,
        'export.type'
      );
  }
}

/**
 * Parses one line. A Buffer holds the kernel's raw bytes: strings are decoded as latin1 so that
 * pathnames hash as the exact raw bytes (§1.5), while the stored line is decoded as UTF-8.
 */
export function parseRecordLine(line: string | Buffer, opts: ParseOptions): TsemRecord {
  const isRaw = typeof line !== 'string';
  let obj: unknown;
  let repaired: Buffer | undefined;
  try {
    obj = JSON.parse(isRaw ? line.toString('latin1') : line);
  } catch (err) {
    // Kernels leave control bytes raw inside strings (lenient-json.ts): repair, then retry.
    repaired = repairKernelJson(isRaw ? line : Buffer.from(line, 'utf8'));
    try {
      if (!repaired) throw err;
      obj = JSON.parse(repaired.toString(isRaw ? 'latin1' : 'utf8'));
    } catch (e) {
      fail(
        opts,
        `expected one JSON object per line (truncated or invalid JSON: ${(e as Error).message})`
      );
    }
  }
  const rec = asObject(obj, opts, '');
  const ctx: SchemaContext = { digestSize: opts.digestSize, encoding: isRaw ? 'latin1' : 'utf8' };
  if (rec['export'] !== undefined) return dispatch(rec, undefined, ctx, opts);
  // The stored line (strict JSON, repaired when needed) is only needed for new points and alerts:
  // decode it on demand.
  const stored = repaired ?? line;
  const lineText =
    typeof stored === 'string' ? stored.trimEnd() : () => stored.toString('utf8').trimEnd();
  return dispatch(rec, lineText, ctx, opts);
}

/** Parses an event object built by a source (JavaScript strings, so pathnames are UTF-8). */
export function parseEventObject(obj: TsemEventJson, opts: ParseOptions): TsemEvent {
  const rec = dispatch(obj, undefined, { digestSize: opts.digestSize, encoding: 'utf8' }, opts);
  if (rec.kind !== 'event') fail(opts, 'expected an event, got an export record', 'export.type');
  return rec.event;
}
