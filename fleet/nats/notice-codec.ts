/**
 * The outputs stream's line form of an EventNotice (tsem.proto): JSON with byte fields in hex,
 * one notice per line, read back into the shape Monitor subscribers get, so `tsem watch --nats`
 * prints exactly what `tsem watch` does. Pure.
 */
import type { EventNotice, EventNotice__Output } from '../../proto/gen/tsem/v1/EventNotice.js';
import { EngineError } from '../../common/errors.js';

export function encodeNotice(n: EventNotice): string {
  // Byte fields as hex, set directly: a JSON.stringify replacer would visit every value.
  const v = n.verdict;
  return JSON.stringify(
    v
      ? {
          ...n,
          verdict: {
            ...v,
            coefficient: hexOf(v.coefficient),
            task_id: hexOf(v.task_id),
          },
        }
      : n
  );
}

function hexOf(b: Buffer | Uint8Array | string | undefined): string | undefined {
  if (b === undefined || typeof b === 'string') return b;
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const hexBytes = (v: unknown) =>
  Buffer.from(typeof v === 'string' && /^[0-9a-f]*$/.test(v) ? v : '', 'hex');

/** Throws TSEM_PARSE on a line that is not a notice object. */
export function decodeNotice(line: string): EventNotice__Output {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    o = undefined as never;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new EngineError(
      'TSEM_PARSE',
      `outputs stream: expected a notice object per line, got '${line.slice(0, 80)}'`
    );
  const v = o.verdict as Record<string, unknown> | null | undefined;
  return {
    namespace: str(o.namespace),
    host: str(o.host),
    exporter: str(o.exporter),
    type: str(o.type),
    process: str(o.process),
    pid: str(o.pid),
    verdict:
      v && typeof v === 'object'
        ? {
            kind: str(v.kind) as never,
            action: str(v.action) as never,
            coefficient: hexBytes(v.coefficient),
            task_id: hexBytes(v.task_id),
            seq: str(v.seq),
            error: str(v.error),
            cacheable: false,
          }
        : null,
    event_json: str(o.event_json),
    time_ms:
      typeof o.time_ms === 'string' || typeof o.time_ms === 'number' ? String(o.time_ms) : '',
    alert: o.alert === true,
    ima_json: str(o.ima_json),
    records_json: str(o.records_json),
    landlock: str(o.landlock),
  };
}
