/**
 * Exporter-side converters from the kernel's JSON form (proto/kernel-json.ts) to the wire
 * `tsem.v1.Event` (proto/tsem/v1/tsem.proto). Pure: no I/O, no grpc.
 */
import type { CoeJson, EventHeaderJson, TsemEventJson } from '../proto/kernel-json.js';
import type { Coe } from '../proto/gen/tsem/v1/Coe.js';
import type { Event as WireEvent } from '../proto/gen/tsem/v1/Event.js';
import type { EventHeader } from '../proto/gen/tsem/v1/EventHeader.js';
import type { StructuredEvent } from '../proto/gen/tsem/v1/StructuredEvent.js';

/** The header fields tsem.proto carries (tsem-model.md §1.2, plus `ppid` for non-kernel sources). */
const HEADER_FIELDS = [
  'pid',
  'tnum',
  'context',
  'number',
  'process',
  'type',
  'ttd',
  'p_ttd',
  'task_id',
  'p_task_id',
  'ts',
  'ppid',
  'start',
  'landlock',
] as const satisfies readonly (keyof EventHeaderJson & keyof EventHeader)[];

/** tsem-model.md §1.3: the COE fields, all strings (capeff as 0x hex). */
const COE_FIELDS = [
  'uid',
  'euid',
  'suid',
  'gid',
  'egid',
  'sgid',
  'fsuid',
  'fsgid',
  'capeff',
] as const satisfies readonly (keyof CoeJson & keyof Coe)[];

/** A malformed event object handed to the exporter: says which field was expected. */
export class WireEventError extends Error {
  override readonly name = 'WireEventError';
  readonly code = 'TSEM_INVALID_ARGUMENT';
}

function copyStrings<K extends string>(
  src: Readonly<Partial<Record<K, unknown>>>,
  fields: readonly K[],
  where: string
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const f of fields) {
    const v = src[f];
    // Undefined fields stay absent: proto3 sends no empty strings, and the engine treats '' as absent.
    if (v === undefined) continue;
    if (typeof v !== 'string')
      throw new WireEventError(`${where}.${f}: expected a string, got ${typeof v}`);
    out[f] = v;
  }
  return out;
}

/** The structured body: header and COE strings, and the CELL (the object under the hook name). */
export function eventJsonToStructured(ev: TsemEventJson): StructuredEvent {
  if (typeof ev !== 'object' || ev === null || typeof ev.event !== 'object' || ev.event === null) {
    throw new WireEventError('event: expected an object with an "event" header');
  }
  const type = ev.event.type;
  if (typeof type !== 'string' || type === '')
    throw new WireEventError('event.type: expected the hook name');
  const cell = ev[type];
  if (cell !== undefined && (typeof cell !== 'object' || cell === null)) {
    throw new WireEventError(`${type}: expected the CELL object under the hook name`);
  }
  return {
    header: copyStrings(ev.event as unknown as Record<string, unknown>, HEADER_FIELDS, 'event'),
    coe:
      typeof ev.COE === 'object' && ev.COE !== null
        ? copyStrings(ev.COE as unknown as Record<string, unknown>, COE_FIELDS, 'COE')
        : {},
    // tsem.proto StructuredEvent.cell_json: the JSON object emitted under the hook name.
    cell_json: Buffer.from(JSON.stringify(cell ?? {}), 'utf8'),
  };
}

/** One wire Event: a raw kernel line (bytes kept exact, tsem-model.md §1.5) or a structured event,
 * with the process's cgroup v2 id when known (the engine routes a canister's events by it). */
export function eventToWire(
  namespace: string,
  event: TsemEventJson | Buffer,
  host?: string,
  cgroupId?: string
): WireEvent {
  const out: WireEvent = Buffer.isBuffer(event)
    ? { namespace, kernel_json: event }
    : { namespace, structured: eventJsonToStructured(event) };
  if (host !== undefined && host !== '') out.host = host;
  if (cgroupId !== undefined && cgroupId !== '') out.cgroup_id = cgroupId;
  return out;
}
