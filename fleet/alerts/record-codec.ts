/**
 * An alert-log record (a version of an incident) as the outputs stream carries it: the engine's
 * own JSON form, one record per message. Read back with the fields every alert format relies on
 * checked, so a message of another shape is refused with a clear reason, never half-rendered.
 * Pure.
 */
import { EngineError } from '../../common/errors.js';
import type { AlertRecord } from '../../engine/incident/incident.js';

export const encodeRecord = (r: AlertRecord): string => JSON.stringify(r);

const ACTIVITIES = new Set(['open', 'update', 'close']);
const SEVERITIES = new Set(['low', 'medium', 'high']);

function bad(what: string): EngineError {
  return new EngineError('TSEM_PARSE', `outputs stream: incident record: ${what}`);
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throws TSEM_PARSE on a message that is not an incident record. */
export function decodeRecord(text: string): AlertRecord {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw bad(`expected a JSON object, got '${text.slice(0, 80)}'`);
  }
  if (!isObj(o)) throw bad('expected a JSON object');
  if (typeof o.seq !== 'number' || typeof o.timeMs !== 'number')
    throw bad('expected numbers seq and timeMs');
  if (typeof o.activity !== 'string' || !ACTIVITIES.has(o.activity))
    throw bad(`expected activity open, update or close, got '${String(o.activity)}'`);
  const i = o.incident;
  if (!isObj(i)) throw bad('expected an incident object');
  for (const k of ['id', 'namespace', 'host', 'title', 'mode', 'status'])
    if (typeof i[k] !== 'string') throw bad(`expected incident.${k} to be a string`);
  if (typeof i.severity !== 'string' || !SEVERITIES.has(i.severity))
    throw bad(`expected incident.severity low, medium or high`);
  if (typeof i.version !== 'number') throw bad('expected incident.version to be a number');
  for (const k of ['counts', 'types', 'root', 'trigger'])
    if (!isObj(i[k])) throw bad(`expected incident.${k} to be an object`);
  for (const k of ['tasks', 'samples', 'denials', 'ima'])
    if (!Array.isArray(i[k])) throw bad(`expected incident.${k} to be a list`);
  return o as unknown as AlertRecord;
}
