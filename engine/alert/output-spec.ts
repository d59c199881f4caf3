/**
 * Alert outputs as declarative options. One spelling for the command line and the configuration
 * file: `TYPE:TARGET[;key=value…]` (`--alert webhook:https://…;format=ocsf`) or the same keys as a
 * JSON object (`{"type": "webhook", "url": "https://…", "format": "ocsf"}`). Errors name the key.
 */
import { EngineError } from '../../common/errors.js';
import { ALERT_FORMATS, type AlertFormat } from './formats.js';
import { FACILITIES } from './syslog-format.js';

interface Common {
  /** Stable name: delivery cursors and metrics use it (default `TYPE:TARGET`). */
  readonly name: string;
  readonly format: AlertFormat;
  /** Records an output may be behind before the oldest are dropped (default 10,000). */
  readonly maxQueue: number;
}

export type OutputSpec =
  | (Common & {
      readonly type: 'file';
      readonly path: string;
      /** Rotate when the file would exceed this (default 10 MiB); keep `keep` old files (5). */
      readonly maxBytes: number;
      readonly keep: number;
    })
  | (Common & {
      readonly type: 'syslog';
      /** `unix:/dev/log` (datagrams) or `tcp:HOST:PORT` (octet-counted stream). */
      readonly address: string;
      readonly facility: number;
      readonly appName: string;
      /** Structured-data id, `name@PEN` (default tsem@32473, RFC 5612's documentation number). */
      readonly sdId: string;
      /** Largest message sent (default 8192, rsyslog's default); detail is shed to fit. */
      readonly maxBytes: number;
    })
  | (Common & {
      readonly type: 'webhook';
      readonly url: string;
      /** Environment variable holding the signing secret (default TSEM_WEBHOOK_SECRET). */
      readonly secretEnv: string;
      readonly timeoutMs: number;
      /** CA certificate file for an https URL with a private CA. */
      readonly ca?: string;
    });

export const DEFAULT_MAX_QUEUE = 10_000;
export const DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_FILE_KEEP = 5;
export const DEFAULT_SD_ID = 'tsem@32473';
export const DEFAULT_SYSLOG_MAX_BYTES = 8192;
export const DEFAULT_SECRET_ENV = 'TSEM_WEBHOOK_SECRET';
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

const KEYS: Record<OutputSpec['type'], readonly string[]> = {
  file: ['path', 'max-bytes', 'keep'],
  syslog: ['address', 'facility', 'app-name', 'sd-id', 'max-bytes'],
  webhook: ['url', 'secret-env', 'timeout-ms', 'ca'],
};
const COMMON = ['type', 'name', 'format', 'max-queue'];

function bad(where: string, msg: string): EngineError {
  return new EngineError('TSEM_INVALID_ARGUMENT', `${where}: ${msg}`);
}

function str(raw: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '')
    throw bad(`${where}.${key}`, 'expected a non-empty string');
  return v;
}

function int(
  raw: Record<string, unknown>,
  key: string,
  where: string,
  dflt: number,
  min: number
): number {
  const v = raw[key];
  if (v === undefined) return dflt;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min)
    throw bad(`${where}.${key}`, `expected a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** `TYPE:TARGET;key=value;…` as the object form. */
export function outputObject(spec: string, where: string): Record<string, unknown> {
  const [head = '', ...params] = spec.split(';');
  const colon = head.indexOf(':');
  if (colon <= 0)
    throw bad(
      where,
      `expected TYPE:TARGET (file:PATH, syslog:unix:PATH, syslog:tcp:HOST:PORT, webhook:URL), got '${spec}'`
    );
  const type = head.slice(0, colon);
  const target = head.slice(colon + 1);
  const targetKey = type === 'file' ? 'path' : type === 'syslog' ? 'address' : 'url';
  const obj: Record<string, unknown> = { type, [targetKey]: target };
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw bad(where, `expected key=value after ';', got '${p}'`);
    obj[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return obj;
}

/** Validates one output (string or object form); `where` names it in errors (`--alert`, `alert[0]`). */
export function parseOutput(raw: unknown, where: string): OutputSpec {
  const obj = typeof raw === 'string' ? outputObject(raw, where) : raw;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw bad(where, 'expected an output: "TYPE:TARGET;key=value" or an object with "type"');
  const o = obj as Record<string, unknown>;
  const type = o['type'];
  if (type !== 'file' && type !== 'syslog' && type !== 'webhook')
    throw bad(`${where}.type`, `expected file, syslog or webhook, got ${JSON.stringify(type)}`);
  for (const k of Object.keys(o))
    if (!COMMON.includes(k) && !KEYS[type].includes(k))
      throw bad(
        `${where}.${k}`,
        `unknown key for a ${type} output (known: ${[...COMMON, ...KEYS[type]].join(', ')})`
      );
  const format = (str(o, 'format', where) ?? 'native') as AlertFormat;
  if (!ALERT_FORMATS.includes(format))
    throw bad(`${where}.format`, `expected ${ALERT_FORMATS.join(', ')}, got '${format}'`);
  const maxQueue = int(o, 'max-queue', where, DEFAULT_MAX_QUEUE, 1);
  const need = (key: string) => {
    const v = str(o, key, where);
    if (v === undefined) throw bad(`${where}.${key}`, `required for a ${type} output`);
    return v;
  };
  if (type === 'file') {
    const path = need('path');
    return {
      type,
      path,
      name: str(o, 'name', where) ?? `file:${path}`,
      format,
      maxQueue,
      maxBytes: int(o, 'max-bytes', where, DEFAULT_FILE_MAX_BYTES, 256),
      keep: int(o, 'keep', where, DEFAULT_FILE_KEEP, 1),
    };
  }
  if (type === 'syslog') {
    const address = need('address');
    if (!/^unix:\/.+$/.test(address) && !/^tcp:.+:\d+$/.test(address))
      throw bad(`${where}.address`, `expected unix:/PATH or tcp:HOST:PORT, got '${address}'`);
    const facilityName = str(o, 'facility', where) ?? 'auth';
    const facility = FACILITIES[facilityName];
    if (facility === undefined)
      throw bad(
        `${where}.facility`,
        `expected one of ${Object.keys(FACILITIES).join(', ')}, got '${facilityName}'`
      );
    const sdId = str(o, 'sd-id', where) ?? DEFAULT_SD_ID;
    if (!/^[\x21-\x7e]{1,32}$/.test(sdId) || /[= \]"]/.test(sdId) || !sdId.includes('@'))
      throw bad(
        `${where}.sd-id`,
        `expected NAME@NUMBER of at most 32 printable characters, got '${sdId}'`
      );
    return {
      type,
      address,
      name: str(o, 'name', where) ?? `syslog:${address}`,
      format,
      maxQueue,
      facility,
      appName: str(o, 'app-name', where) ?? 'tsem',
      sdId,
      maxBytes: int(o, 'max-bytes', where, DEFAULT_SYSLOG_MAX_BYTES, 480),
    };
  }
  const url = need('url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad(`${where}.url`, `expected an http or https URL, got '${url}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw bad(`${where}.url`, `expected an http or https URL, got '${url}'`);
  const ca = str(o, 'ca', where);
  return {
    type,
    url,
    name: str(o, 'name', where) ?? `webhook:${parsed.origin}${parsed.pathname}`,
    format,
    maxQueue,
    secretEnv: str(o, 'secret-env', where) ?? DEFAULT_SECRET_ENV,
    timeoutMs: int(o, 'timeout-ms', where, DEFAULT_WEBHOOK_TIMEOUT_MS, 100),
    ...(ca !== undefined ? { ca } : {}),
  };
}
