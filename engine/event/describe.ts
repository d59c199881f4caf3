/**
 * Point descriptions: the event a coefficient stands for, kept structured (event type, process,
 * task ids, COE and the CELL as the kernel's JSON object with string leaves) so that people can
 * read it, the explanation can compare it field by field, and later tools (a Landlock compiler)
 * can use pathnames, flags and ports directly. Pure.
 */
import type { Mutable } from '../../common/mutable.js';
import { formatKernelJson } from './parse-json.js';
import type { TsemEvent } from './event.js';

/** A CELL value: the kernel prints every leaf as a string. */
export type CellValue = string | { readonly [k: string]: CellValue };
export type CellObject = { readonly [k: string]: CellValue };

export interface EventDescription {
  /** The event type (the LSM hook), e.g. `file_open`. */
  readonly type: string;
  /** `current->comm` of the acting task. */
  readonly process: string;
  /** TASK_ID and parent TASK_ID (hex) the coefficient was computed with. */
  readonly task_id?: string;
  readonly p_task_id?: string;
  /** The COE as the kernel prints it (uid … fsgid decimal, capeff 0x hex). */
  readonly coe: Readonly<Record<string, string>>;
  /** The CELL: the JSON object the kernel emits under the event type. */
  readonly cell: CellObject;
}

/** Bounds for descriptions read from files and the wire: nesting and total leaves. */
const MAX_DEPTH = 8;
const MAX_LEAVES = 256;
const MAX_STRING = 4096;

function leaf(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

function cellOf(v: unknown, depth = 0): CellObject {
  const out: Record<string, CellValue> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v) || depth > MAX_DEPTH) return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>))
    out[k] =
      typeof x === 'object' && x !== null && !Array.isArray(x) ? cellOf(x, depth + 1) : leaf(x);
  return out;
}

function strings(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = leaf(x);
  return out;
}

/** A description from the kernel JSON of an event (trajectory line or export record). */
export function describeObject(
  obj: Record<string, unknown>,
  task?: { readonly taskId: Buffer; readonly pTaskId: Buffer }
): EventDescription | undefined {
  const header = obj['event'];
  if (typeof header !== 'object' || header === null) return undefined;
  const h = header as Record<string, unknown>;
  const type = typeof h['type'] === 'string' ? h['type'] : undefined;
  if (!type) return undefined;
  const taskId = task ? task.taskId.toString('hex') : h['task_id'];
  const pTaskId = task ? task.pTaskId.toString('hex') : h['p_task_id'];
  // Field by field in the stored order (no spread: slow in Node 20, docs/performance.md §2).
  const d: Partial<Mutable<EventDescription>> = { type, process: leaf(h['process'] ?? '') };
  if (typeof taskId === 'string' && taskId !== '') d.task_id = taskId;
  if (typeof pTaskId === 'string' && pTaskId !== '') d.p_task_id = pTaskId;
  d.coe = strings(obj['COE']);
  d.cell = cellOf(obj[type]);
  return d as EventDescription;
}

/** A description from a kernel line; undefined when the line is not an event's JSON. */
export function describeLine(line: string): EventDescription | undefined {
  try {
    const obj = JSON.parse(line) as unknown;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
    return describeObject(obj as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

/** The description of a modeled event, with the task ids the coefficient used. */
export function describeEvent(
  e: TsemEvent,
  task: { readonly taskId: Buffer; readonly pTaskId: Buffer }
): EventDescription {
  const d = describeLine(e.line) ?? {
    type: e.header.type,
    process: e.header.process,
    coe: {},
    cell: {},
  };
  // Object.assign, not `{ ...d, task_id }`: the same object, without Node 20's slow spread path
  // (about 4 µs against 0.3 µs measured; docs/performance.md §2).
  return Object.assign({}, d, {
    task_id: task.taskId.toString('hex'),
    p_task_id: task.pTaskId.toString('hex'),
  });
}

/** The description as a kernel trajectory line (for a finding accepted without its own line). */
export function descriptionLine(d: EventDescription): string {
  const event: Record<string, string> = { process: d.process, type: d.type };
  if (d.task_id) event['task_id'] = d.task_id;
  if (d.p_task_id) event['p_task_id'] = d.p_task_id;
  return formatKernelJson({ event, COE: d.coe, [d.type]: d.cell });
}

/**
 * Checks a description read from a model file or the wire: the shape above, strings at the
 * leaves, bounded depth, leaves and lengths. Returns an error message, or the description.
 */
export function checkDescription(v: unknown): EventDescription | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'expected a JSON object';
  const o = v as Record<string, unknown>;
  const str = (k: string, required: boolean): string | undefined => {
    const x = o[k];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string') throw new Error(`'${k}' must be a string`);
    if (x.length > MAX_STRING) throw new Error(`'${k}' is longer than ${MAX_STRING} characters`);
    return x;
  };
  let leaves = 0;
  const walk = (x: unknown, path: string, depth: number): CellValue => {
    if (typeof x === 'string') {
      if (++leaves > MAX_LEAVES) throw new Error(`more than ${MAX_LEAVES} fields`);
      if (x.length > MAX_STRING)
        throw new Error(`'${path}' is longer than ${MAX_STRING} characters`);
      return x;
    }
    if (typeof x !== 'object' || x === null || Array.isArray(x))
      throw new Error(`'${path}' must be a string or an object of strings`);
    if (depth > MAX_DEPTH) throw new Error(`'${path}' nests deeper than ${MAX_DEPTH}`);
    const out: Record<string, CellValue> = {};
    for (const [k, y] of Object.entries(x as Record<string, unknown>))
      out[k] = walk(y, `${path}.${k}`, depth + 1);
    return out;
  };
  try {
    const type = str('type', true)!;
    if (!/^[a-z_0-9]{1,64}$/.test(type)) return `'type' is not an event type: '${type}'`;
    const coe = walk(o['coe'] ?? {}, 'coe', MAX_DEPTH - 1);
    const cell = walk(o['cell'] ?? {}, 'cell', 0);
    if (typeof coe === 'string' || typeof cell === 'string')
      return "'coe' and 'cell' must be objects";
    const task = str('task_id', false);
    const pTask = str('p_task_id', false);
    for (const [k, t] of [
      ['task_id', task],
      ['p_task_id', pTask],
    ] as const)
      if (t !== undefined && !/^[0-9a-f]*$/.test(t)) return `'${k}' is not lowercase hex`;
    const d: Partial<Mutable<EventDescription>> = { type, process: str('process', false) ?? '' };
    if (task !== undefined) d.task_id = task;
    if (pTask !== undefined) d.p_task_id = pTask;
    d.coe = coe as Record<string, string>;
    d.cell = cell;
    return d as EventDescription;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * The description as named fields: `type`, `process`, `task_id`, `p_task_id`, `coe.NAME` and
 * `cell.A.B.…` (the CELL's path in the kernel's JSON), in a stable order.
 */
export function descriptionFields(d: EventDescription): Map<string, string> {
  const out = new Map<string, string>([
    ['type', d.type],
    ['process', d.process],
  ]);
  if (d.task_id !== undefined) out.set('task_id', d.task_id);
  if (d.p_task_id !== undefined) out.set('p_task_id', d.p_task_id);
  for (const [k, v] of Object.entries(d.coe)) out.set(`coe.${k}`, v);
  const walk = (o: CellObject, prefix: string): void => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string') out.set(`${prefix}.${k}`, v);
      else walk(v, `${prefix}.${k}`);
    }
  };
  walk(d.cell, 'cell');
  return out;
}

function findKey(node: CellValue | undefined, key: string): CellObject | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  if (key in node) return node;
  for (const v of Object.values(node)) {
    const found = findKey(v, key);
    if (found) return found;
  }
  return undefined;
}

/**
 * What the event acted on, in a few characters: the CELL's first `pathname`, else a socket
 * address (af_inet `address:port`, af_inet6 `[address]:port`), else its first few fields.
 */
export function subjectOf(d: EventDescription): string {
  const path = findKey(d.cell, 'pathname')?.['pathname'];
  if (typeof path === 'string') return path;
  const addr = findKey(d.cell, 'address');
  if (addr && typeof addr['address'] === 'string') {
    const port = addr['port'];
    if (typeof port !== 'string') return addr['address'];
    return addr['flow'] !== undefined
      ? `[${addr['address']}]:${port}`
      : `${addr['address']}:${port}`;
  }
  const fields = [...descriptionFields(d)].filter(([k]) => k.startsWith('cell.'));
  return fields
    .slice(0, 3)
    .map(([k, v]) => `${k.slice(k.lastIndexOf('.') + 1)}=${v}`)
    .join(' ');
}
