/**
 * Model deltas across a thread boundary. Structured clone turns every Buffer into a
 * plain Uint8Array: these wrap them back (no copy), field by field, as the model expects them.
 */
import type { Task } from '../ns/task-table.js';
import type { ModelDelta } from '../ns/namespace-types.js';

/** A cloned Buffer as a Buffer again, over the same memory. */
export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function reviveTask(t: Task): Task {
  t.taskId = asBuffer(t.taskId);
  t.pTaskId = asBuffer(t.pTaskId);
  return t;
}

/** A delta that came through postMessage, usable by NamespaceModel.applyDelta again. */
export function reviveDelta(d: ModelDelta): ModelDelta {
  const cs = d.changes;
  const entry = <T extends { coefficient: Buffer }>(e: T): T =>
    Object.assign(e, { coefficient: asBuffer(e.coefficient) });
  cs.trajectory.forEach(entry);
  cs.forensics.forEach(entry);
  cs.audit.forEach(entry);
  for (const [, t] of cs.tasks) if (t) reviveTask(t);
  return Object.assign(d, {
    config: Object.assign(d.config, {
      aggregate: asBuffer(d.config.aggregate),
      base: asBuffer(d.config.base),
    }),
    measurement: asBuffer(d.measurement),
  });
}
