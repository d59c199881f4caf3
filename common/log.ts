/**
 * Structured logging on pino: one JSON object per line (`time`, `level`, `name`, `msg` and any
 * fields), or a one-line text form for people at a terminal. The interface stays small: calling
 * the log itself logs at info, and `warn`/`error`/`debug` name other levels, so most code only ever
 * writes `log('...')`.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { escapeText } from './escape.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export type LogFormat = 'json' | 'text';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Log {
  /** Logs at info. */
  (msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A log whose lines all carry these fields (e.g. `{ component: 'webhook' }`). */
  child(bindings: LogFields): Log;
}

/** A plain line sink (tests pass one): every level goes to it as text. */
export type LineLog = (msg: string) => void;

export interface LogOptions {
  readonly level?: LogLevel;
  readonly format?: LogFormat;
}

const BEARER = /\b(Bearer\s+)\S+/gi;

/**
 * Text as it may be logged: control characters escaped (common/escape.ts), so a name or path from
 * outside can never start a line of its own or drive a terminal, and bearer tokens masked, so a
 * credential never reaches a log. Every message and string field goes through it, whatever the
 * format.
 */
export function logText(msg: string): string {
  return escapeText(msg.replace(BEARER, '$1<redacted>'));
}

function cleanFields(fields: LogFields): LogFields {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = typeof v === 'string' ? logText(v) : v;
  return out;
}

function wrap(logger: Logger): Log {
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      if (fields) logger[level](cleanFields(fields), logText(msg));
      else logger[level](logText(msg));
    };
  return Object.assign(at('info'), {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings: LogFields) => wrap(logger.child(bindings)),
  });
}

/** The text form of one pino JSON line: `TIME NAME [LEVEL] msg key=value …`. */
function textLine(json: string): string {
  const {
    time,
    level,
    name,
    msg,
    pid: _p,
    hostname: _h,
    ...rest
  } = JSON.parse(json) as Record<string, unknown>;
  const extra = Object.entries(rest)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  const lvl = level === 'info' ? '' : `${String(level)}: `;
  return `${String(time)} ${String(name)} ${lvl}${String(msg)}${extra ? ` ${extra}` : ''}\n`;
}

/**
 * A log named `name` writing lines to `write` (default stderr, synchronously so nothing is lost at
 * exit), JSON by default.
 */
export function createLog(
  name = 'tsem',
  write: (s: string) => void = (s) => void process.stderr.write(s),
  opts: LogOptions = {}
): Log {
  const text = opts.format === 'text';
  const dest: DestinationStream = { write: (s: string) => write(text ? textLine(s) : s) };
  const logger = pino(
    {
      name,
      level: opts.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest
  );
  return wrap(logger);
}

/** A Log over a plain line sink (test seams and callers that only want text). */
export function lineLog(sink: LineLog, bindings: LogFields = {}): Log {
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      const all = cleanFields({ ...bindings, ...fields });
      const extra = Object.keys(all).length > 0 ? ` ${JSON.stringify(all)}` : '';
      sink(`${level === 'info' ? '' : `${level}: `}${logText(msg)}${extra}`);
    };
  return Object.assign(at('info'), {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (b: LogFields) => lineLog(sink, { ...bindings, ...b }),
  });
}

/** A full Log from either form. */
export function asLog(l: LineLog): Log {
  return 'warn' in l ? (l as Log) : lineLog(l);
}
