/**
 * Parses Linux audit records, from netlink (`audit(SEC.MSEC:SERIAL): k=v ...` with the type as a
 * number) or from auditd's text log (`type=NAME msg=audit(...): k=v ...`). Pure.
 *
 * Values: quoted ("..."), single-quoted ('...'), or bare. The kernel hex-encodes untrusted strings
 * (comm, exe, name, cwd, proctitle, execve args) that contain spaces, quotes or control bytes, and
 * then prints them bare: `text()` decodes a bare value of such a field from hex.
 */

export interface AuditField {
  readonly value: string;
  readonly quoted: boolean;
}

export interface AuditRecord {
  readonly type: string;
  readonly serial: number;
  /** Event time in milliseconds since the epoch (from the audit stamp). */
  readonly timeMs: number;
  readonly fields: ReadonlyMap<string, AuditField>;
}

export type RecordResult =
  | { readonly ok: true; readonly record: AuditRecord }
  | { readonly ok: false; readonly error: string };

/** Record type numbers (linux/audit.h) of the types the source reads, and their log names. */
export const RECORD_TYPES: Readonly<Record<number, string>> = {
  1300: 'SYSCALL',
  1302: 'PATH',
  1303: 'IPC',
  1304: 'SOCKETCALL',
  1306: 'SOCKADDR',
  1307: 'CWD',
  1309: 'EXECVE',
  1318: 'OBJ_PID',
  1320: 'EOE',
  1321: 'BPRM_FCAPS',
  1323: 'MMAP',
  1327: 'PROCTITLE',
  1330: 'KERN_MODULE',
  1423: 'LANDLOCK_ACCESS',
  1424: 'LANDLOCK_DOMAIN',
};

/** auditd's name for a type number: known names, else UNKNOWN[n] as auditd prints it. */
export function recordTypeName(type: number): string {
  return RECORD_TYPES[type] ?? `UNKNOWN[${type}]`;
}

const STAMP = /^audit\((\d+)\.(\d{3}):(\d+)\):\s?/;
const FIELD = /([^\s=]+)=("([^"]*)"|'([^']*)'|(\S*))/g;

/** Parses `audit(SEC.MSEC:SERIAL): fields` of a record whose type is already known. */
export function parseRecordBody(type: string, body: string): RecordResult {
  // auditd's enriched format appends interpreted fields after a 0x1d separator: keep the raw part.
  const raw = body.split('\x1d')[0]!;
  const m = STAMP.exec(raw);
  if (!m)
    return {
      ok: false,
      error: `expected 'audit(SECONDS.MILLIS:SERIAL):' at the start, got '${raw.slice(0, 40)}'`,
    };
  const fields = new Map<string, AuditField>();
  for (const f of raw.slice(m[0].length).matchAll(FIELD)) {
    const quoted = f[3] !== undefined || f[4] !== undefined;
    const key = f[1]!;
    // msg='...' of user records nests its own fields; the first occurrence of a key wins.
    if (!fields.has(key)) fields.set(key, { value: f[3] ?? f[4] ?? f[5] ?? '', quoted });
  }
  return {
    ok: true,
    record: { type, serial: Number(m[3]), timeMs: Number(m[1]) * 1000 + Number(m[2]), fields },
  };
}

const LOG_LINE = /^(?:node=\S+\s+)?type=(\S+)\s+msg=(audit\(.*)$/;

/** Parses one line of auditd's log (/var/log/audit/audit.log). */
export function parseLogLine(line: string): RecordResult {
  const m = LOG_LINE.exec(line.trimEnd());
  if (!m)
    return {
      ok: false,
      error: `expected 'type=NAME msg=audit(...): ...', got '${line.slice(0, 40)}'`,
    };
  return parseRecordBody(m[1]!, m[2]!);
}

/** Parses a netlink message payload of record type `type`. */
export function parseNetlinkRecord(type: number, payload: Buffer): RecordResult {
  const text = payload.toString('utf8').replace(/\0+$/, '').trimEnd();
  return parseRecordBody(recordTypeName(type), text);
}

/** A string field: quoted as is, bare values hex-decoded; undefined for absent, (null) and '?'. */
export function text(rec: AuditRecord, key: string): string | undefined {
  const f = rec.fields.get(key);
  if (!f) return undefined;
  if (f.quoted) return f.value;
  if (f.value === '(null)' || f.value === '?' || f.value === '') return undefined;
  if (/^([0-9A-Fa-f]{2})+$/.test(f.value)) return Buffer.from(f.value, 'hex').toString('utf8');
  return f.value;
}

/** A bare numeric field in base `radix` (SYSCALL a0..a3 and arch are hex, ids decimal, mode octal). */
export function num(rec: AuditRecord, key: string, radix = 10): bigint | undefined {
  const v = rec.fields.get(key)?.value;
  if (v === undefined || v === '') return undefined;
  const re = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^-?\d+$/;
  if (!re.test(v)) return undefined;
  if (radix === 16) return BigInt(`0x${v}`);
  if (radix === 8) return BigInt(`0o${v}`);
  return BigInt(v);
}

/** A decimal field as a string (uid, pid, ...), as TSEM's JSON carries numbers. */
export function dec(rec: AuditRecord, key: string): string | undefined {
  return num(rec, key)?.toString();
}
