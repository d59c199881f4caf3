/**
 * RFC 5424 syslog messages (§6): `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] BOM MSG`,
 * with the incident's id, version, namespace and severity as structured data and the chosen format's
 * JSON as MSG. Stream transports frame it with octet counting (RFC 6587 §3.4.1).
 */
import type { AlertRecord, Severity } from '../incident/incident.js';

export const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  daemon: 3,
  auth: 4,
  syslog: 5,
  authpriv: 10,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** high → crit (2), medium → warning (4), low → notice (5); a closing record is info (6). */
export function syslogSeverity(sev: Severity, activity: AlertRecord['activity']): number {
  if (activity === 'close') return 6;
  return sev === 'high' ? 2 : sev === 'medium' ? 4 : 5;
}

/** RFC 5424 §6.3.3: `"`, `\` and `]` are escaped in PARAM-VALUE. */
export const escapeSdValue = (v: string) => v.replace(/["\\\]]/g, (c) => `\\${c}`);

/** Printable US-ASCII without spaces, cut to `max` (RFC 5424 §6: HOSTNAME 255, APP-NAME 48, MSGID 32). */
function headerField(v: string, max: number): string {
  const s = v.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return s === '' ? '-' : s;
}

export interface SyslogHeader {
  readonly facility: number;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  /** `name@PEN` (RFC 5424 §6.3.2). */
  readonly sdId: string;
}

const BOM = '\ufeff';

export function syslogMessage(r: AlertRecord, body: string, h: SyslogHeader): Buffer {
  const inc = r.incident;
  const pri = h.facility * 8 + syslogSeverity(inc.severity, r.activity);
  const params: [string, string][] = [
    ['id', inc.id],
    ['version', String(inc.version)],
    ['seq', String(r.seq)],
    ['namespace', inc.namespace],
    ['severity', inc.severity],
    ['status', inc.status],
  ];
  const sd = `[${h.sdId} ${params.map(([k, v]) => `${k}="${escapeSdValue(v)}"`).join(' ')}]`;
  const header = [
    `<${pri}>1`,
    new Date(r.timeMs).toISOString(),
    headerField(h.hostname, 255),
    headerField(h.appName, 48),
    headerField(h.procId, 128),
    headerField(`incident-${r.activity}`, 32),
    sd,
  ].join(' ');
  return Buffer.from(`${header} ${BOM}${body}`, 'utf8');
}

/** RFC 6587 §3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`. */
export function octetCounted(msg: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${msg.length} `, 'ascii'), msg]);
}
