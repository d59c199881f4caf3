/** How commands print points, findings and their descriptions (one line, or one JSON object). */
import type { EventDescription } from '../engine/event/describe.js';
import { subjectOf } from '../engine/event/describe.js';
import type { Point__Output } from '../proto/gen/tsem/v1/Point.js';
import type { PointDescription__Output } from '../proto/gen/tsem/v1/PointDescription.js';

const STATUS_NAMES: Readonly<Record<string, string>> = {
  POINT_STATUS_VALID: 'valid',
  POINT_STATUS_FORENSIC: 'forensic',
  POINT_STATUS_FINDING: 'finding',
};

export function statusName(s: string): string {
  return STATUS_NAMES[s] ?? 'unknown';
}

/** The wire description back in its engine form (the CELL travels as JSON text). */
export function descriptionFromWire(
  d: PointDescription__Output | null | undefined
): EventDescription | undefined {
  if (!d) return undefined;
  let cell: EventDescription['cell'] = {};
  try {
    const v = JSON.parse(d.cell_json) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) cell = v as typeof cell;
  } catch {
    // an engine sends JSON; keep the rest of the description
  }
  return {
    type: d.type,
    process: d.process,
    ...(d.task_id ? { task_id: d.task_id } : {}),
    ...(d.p_task_id ? { p_task_id: d.p_task_id } : {}),
    coe: d.coe,
    cell,
  };
}

const iso = (ms: string): string | null =>
  ms === '0' || ms === '' ? null : new Date(Number(ms)).toISOString();

/** A point as one JSON object: numbers as numbers, times as ISO strings, the description nested. */
export function pointJson(p: Point__Output): Record<string, unknown> {
  return {
    coefficient: p.coefficient,
    status: statusName(p.status),
    count: Number(p.count),
    first_seen: iso(p.first_seen_ms),
    last_seen: iso(p.last_seen_ms),
    description: descriptionFromWire(p.description) ?? null,
  };
}

/** `TYPE PROCESS SUBJECT` of a description, or `(no description)`. */
export function describeShort(d: EventDescription | undefined): string {
  return d ? `${d.type} ${d.process} ${subjectOf(d)}` : '(no description)';
}

/** `COEFFICIENT STATUS COUNT TYPE PROCESS SUBJECT` (the caller escapes control characters). */
export function pointLine(p: Point__Output): string {
  return `${p.coefficient} ${statusName(p.status)} ${p.count} ${describeShort(descriptionFromWire(p.description))}`;
}
