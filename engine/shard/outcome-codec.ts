/**
 * A run's outcomes from a worker, in one transferred buffer rather than an object per event: the
 * structured clone of 1024 verdict objects (each with three Buffers) cost the main thread more
 * than modeling the events itself (measured: docs/performance.md §5). Verdicts are fixed-size
 * rows with task ids by index into the run's table of distinct ids; anything else (errors, notes,
 * duplicates, stage records, Landlock rights: rare) goes beside the rows as objects.
 */
import type { Verdict, VerdictKind } from '../ns/namespace-types.js';
import type { WireOutcome } from '../ns/shard-port.js';
import { asBuffer } from './delta-wire.js';

const KINDS: readonly VerdictKind[] = [
  'learned',
  'on-contour',
  'would-be-off-contour',
  'off-contour',
  'untrusted-task',
  'lifecycle',
];
const KIND_INDEX = new Map(KINDS.map((k, i) => [k, i]));

const DENY = 1;
const UNTRUSTED = 2;
const NEW_POINT = 4;
const COEFFICIENT = 8;
/** Row: kind, flags, task id index (u16), parent task id index (u16), seq (f64), coefficient. */
const HEAD = 16;

export interface EncodedOutcomes {
  /** Digest size of the namespace (coefficient and task id bytes). */
  readonly ds: number;
  readonly count: number;
  readonly rows: Uint8Array<ArrayBuffer>;
  /** The run's distinct task ids, concatenated. */
  readonly ids: Uint8Array<ArrayBuffer>;
  /** Outcomes that are not plain verdicts, or carry more than a row holds, by index. */
  readonly extra: readonly (readonly [number, WireOutcome])[];
}

/** The ids in a buffer of its own (transferable: no shared pool slab). */
function ownBuffer(ids: readonly Buffer[], ds: number): Uint8Array<ArrayBuffer> {
  const b = Buffer.allocUnsafeSlow(ids.length * ds);
  ids.forEach((id, i) => id.copy(b, i * ds));
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export function encodeOutcomes(outcomes: readonly WireOutcome[], ds: number): EncodedOutcomes {
  const row = HEAD + ds;
  const rows = Buffer.allocUnsafeSlow(outcomes.length * row);
  const ids: Buffer[] = [];
  const idIndex = new Map<Buffer, number>();
  const idOf = (b: Buffer): number => {
    // Tasks share their id Buffers, so identity finds almost every repeat.
    let i = idIndex.get(b);
    if (i === undefined) {
      i = ids.length;
      idIndex.set(b, i);
      ids.push(b);
    }
    return i;
  };
  const extra: [number, WireOutcome][] = [];
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i]!;
    const at = i * row;
    const v = o.verdict;
    if (
      v === undefined ||
      o.records !== undefined ||
      v.landlock !== undefined ||
      ids.length > 0xfff0
    ) {
      rows[at] = 0xff;
      extra.push([i, o]);
      continue;
    }
    rows[at] = KIND_INDEX.get(v.kind)!;
    rows[at + 1] =
      (v.action === 'deny' ? DENY : 0) |
      (v.trust === 'untrusted' ? UNTRUSTED : 0) |
      (v.newPoint ? NEW_POINT : 0) |
      (v.coefficient ? COEFFICIENT : 0);
    rows.writeUInt16LE(idOf(v.taskId), at + 2);
    rows.writeUInt16LE(idOf(v.pTaskId), at + 4);
    rows.writeDoubleLE(v.seq, at + 8);
    if (v.coefficient) v.coefficient.copy(rows, at + HEAD);
  }
  return {
    ds,
    count: outcomes.length,
    rows: new Uint8Array(rows.buffer, rows.byteOffset, rows.length),
    ids: ownBuffer(ids, ds),
    extra,
  };
}

/** The outcomes again; verdicts' Buffers are views of the transferred rows (no copy). */
export function decodeOutcomes(e: EncodedOutcomes): WireOutcome[] {
  const row = HEAD + e.ds;
  const rows = Buffer.from(e.rows.buffer, e.rows.byteOffset, e.rows.byteLength);
  const idBytes = Buffer.from(e.ids.buffer, e.ids.byteOffset, e.ids.byteLength);
  const ids: Buffer[] = [];
  for (let at = 0; at < idBytes.length; at += e.ds) ids.push(idBytes.subarray(at, at + e.ds));
  const out: WireOutcome[] = new Array<WireOutcome>(e.count);
  // The extras came by structured clone: their Buffers are plain Uint8Arrays again.
  for (const [i, o] of e.extra)
    out[i] = o.verdict
      ? Object.assign(o, {
          verdict: Object.assign(o.verdict, {
            coefficient: o.verdict.coefficient && asBuffer(o.verdict.coefficient),
            taskId: asBuffer(o.verdict.taskId),
            pTaskId: asBuffer(o.verdict.pTaskId),
          }),
        })
      : o;
  for (let i = 0; i < e.count; i++) {
    const at = i * row;
    if (rows[at] === 0xff) continue;
    const flags = rows[at + 1]!;
    const verdict: Verdict = {
      kind: KINDS[rows[at]!]!,
      action: flags & DENY ? 'deny' : 'allow',
      coefficient: flags & COEFFICIENT ? rows.subarray(at + HEAD, at + row) : undefined,
      taskId: ids[rows.readUInt16LE(at + 2)]!,
      pTaskId: ids[rows.readUInt16LE(at + 4)]!,
      trust: flags & UNTRUSTED ? 'untrusted' : 'trusted',
      seq: rows.readDoubleLE(at + 8),
      newPoint: (flags & NEW_POINT) !== 0,
    };
    out[i] = { verdict };
  }
  return out;
}
