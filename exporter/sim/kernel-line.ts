/**
 * Formats an event as a kernel trajectory line (tsem-model.md §3.4): `"key": "value"` pairs joined
 * by `", "`, keys in insertion order, so simulated runs can be written as trajectory files.
 */
import type { TsemEventJson } from '../../proto/kernel-json.js';

function format(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`kernel JSON holds only strings and objects, got ${JSON.stringify(value)}`);
  }
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${format(v)}`)
    .join(', ')}}`;
}

/** One trajectory line, without its newline. */
export function formatEventLine(event: TsemEventJson): string {
  return format(event);
}

/** An export record (`{"export": {"type": "event"}, ...}`), as the kernel's export file carries it. */
export function formatExportLine(
  event: TsemEventJson,
  type: 'event' | 'async_event' = 'event'
): string {
  return format({ export: { type }, ...event });
}
