/** How `tsem watch` prints Monitor EventNotices: one readable line, or one JSON object. Pure. */
import type { EventNotice__Output } from '../proto/gen/tsem/v1/EventNotice.js';
import { escapeText } from '../common/escape.js';

/** Alerts in capitals so they stand out in a scrolling terminal. */
const KIND_LABELS: Readonly<Record<string, string>> = {
  VERDICT_KIND_LEARNED: 'learned',
  VERDICT_KIND_ON_CONTOUR: 'on-contour',
  VERDICT_KIND_WOULD_BE_OFF_CONTOUR: 'WOULD-BE-OFF',
  VERDICT_KIND_OFF_CONTOUR: 'OFF-CONTOUR',
  VERDICT_KIND_UNTRUSTED_TASK: 'UNTRUSTED',
  VERDICT_KIND_LIFECYCLE: 'lifecycle',
  VERDICT_KIND_ERROR: 'ERROR',
  VERDICT_KIND_IMA: 'ima',
};

/** Hex digits of the coefficient shown in a line (the JSON form has all of them). */
export const COEFFICIENT_PREFIX_HEX = 8;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

function parseEventJson(text: string): Record<string, Json> | undefined {
  try {
    const v = JSON.parse(text) as Json;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Depth-first search of a CELL for the first object with `key` (tsem-model.md §1.4 structures). */
function findKey(node: Json | undefined, key: string): { [k: string]: Json } | undefined {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
  if (key in node) return node;
  for (const v of Object.values(node)) {
    const found = findKey(v, key);
    if (found) return found;
  }
  return undefined;
}

/** Control characters are escaped (never interpreted); a space would split a column, so a value
 * with spaces is quoted. */
function printable(s: string): string {
  const e = escapeText(s);
  return / /.test(e) ? `"${e.replace(/"/g, '\\"')}"` : e;
}

/**
 * What the event acted on: the first `pathname` of its CELL (`path` structure), else a socket
 * address (`addr`: af_inet `address:port`, af_inet6 `[HEX]:port`, af_unix the path).
 */
export function eventObject(eventJson: string, type: string): string | undefined {
  const obj = parseEventJson(eventJson);
  const cell = obj?.[type];
  const path = findKey(cell, 'pathname')?.['pathname'];
  if (typeof path === 'string') return printable(path);
  const addr = findKey(cell, 'address');
  if (!addr || typeof addr['address'] !== 'string') return undefined;
  const port = addr['port'];
  if (typeof port !== 'string') return printable(addr['address']);
  const a = printable(addr['address']);
  return addr['flow'] !== undefined ? `[${a}]:${printable(port)}` : `${a}:${printable(port)}`;
}

/** IMA results (EventNotice.ima_json: records with op, cause, status, filename) as `op/cause/status`. */
export function imaSummary(imaJson: string): string | undefined {
  if (imaJson === '') return undefined;
  let parsed: Json;
  try {
    parsed = JSON.parse(imaJson) as Json;
  } catch {
    return printable(imaJson);
  }
  const records = Array.isArray(parsed) ? parsed : [parsed];
  const parts = records.map((r) =>
    typeof r === 'object' && r !== null && !Array.isArray(r)
      ? [r['op'], r['cause'], r['status']]
          .filter((x): x is string => typeof x === 'string' && x !== '')
          .join('/')
      : JSON.stringify(r)
  );
  return escapeText(parts.join(', '));
}

function isoTime(timeMs: string): string {
  const ms = Number(timeMs);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : '-';
}

/** e.g. `2026-11-23T18:00:00.123Z web  OFF-CONTOUR deny  nginx[1234] file_open  /etc/shadow  coef 3f2a09c1…` */
export function formatNoticeLine(n: EventNotice__Output): string {
  const v = n.verdict;
  const kind = v ? (KIND_LABELS[v.kind] ?? printable(String(v.kind))) : '-';
  const action = v?.action === 'ACTION_DENY' ? 'deny' : 'allow';
  const parts = [
    `${isoTime(n.time_ms)} ${printable(n.namespace)}`,
    `${kind} ${action}`,
    `${printable(n.process)}[${printable(n.pid)}] ${printable(n.type)}`,
  ];
  const object = eventObject(n.event_json, n.type);
  if (object !== undefined) parts.push(object);
  if (v && v.coefficient.length > 0)
    parts.push(`coef ${v.coefficient.toString('hex').slice(0, COEFFICIENT_PREFIX_HEX)}…`);
  if (v?.error) parts.push(`error: ${escapeText(v.error)}`);
  if (n.landlock) parts.push(`LANDLOCK-DENIED ${printable(n.landlock)}`);
  const ima = imaSummary(n.ima_json);
  if (ima !== undefined) parts.push(`ima: ${ima}`);
  const sealed = autoSealed(n.records_json);
  if (sealed !== undefined) parts.push(`AUTO-SEALED: namespace now ${sealed}`);
  return parts.join('  ');
}

/** The mode a namespace sealed itself into after this event (the convergence stage's record). */
function autoSealed(recordsJson: string): string | undefined {
  if (recordsJson === '') return undefined;
  const records = parseJson(recordsJson);
  if (!Array.isArray(records)) return undefined;
  for (const r of records) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) continue;
    const fields = r['fields'];
    if (r['stage'] !== 'convergence' || typeof fields !== 'object' || fields === null) continue;
    const mode = (fields as Record<string, Json>)['mode'];
    if (typeof mode === 'string') return printable(mode);
  }
  return undefined;
}

/** One JSON object: the verdict with hex bytes, and the event itself parsed (raw text if not JSON). */
export function formatNoticeJson(n: EventNotice__Output): string {
  const v = n.verdict;
  return JSON.stringify({
    time: isoTime(n.time_ms),
    namespace: n.namespace,
    host: n.host,
    exporter: n.exporter,
    type: n.type,
    process: n.process,
    pid: n.pid,
    alert: n.alert,
    verdict: v
      ? {
          kind: v.kind,
          action: v.action,
          coefficient: v.coefficient.toString('hex'),
          task_id: v.task_id.toString('hex'),
          seq: v.seq,
          ...(v.error ? { error: v.error } : {}),
        }
      : null,
    event: parseEventJson(n.event_json) ?? n.event_json,
    ...(n.ima_json === '' ? {} : { ima: parseJson(n.ima_json) }),
    ...(n.records_json === '' ? {} : { records: parseJson(n.records_json) }),
    ...(n.landlock ? { landlock: n.landlock } : {}),
  });
}
