/** A namespace as plain JSON for sealed storage, and back (NamespaceModel.restore checks it). */
import { NamespaceModel, createNamespaceConfig, type Mode } from '../engine/ns/namespace-model.js';
import type { Dialect } from '../engine/measure/mapper.js';
import type { Trust } from '../engine/ns/task-table.js';

export interface NamespaceJson {
  readonly config: { id: string; digest: string; nsref: 'initial' | 'current'; mode: Mode; dialect: Dialect; taskIdCoe: 'zero' | 'actual'; aggregate: string; base: string };
  readonly points: { c: string; valid: boolean; count: number }[];
  readonly trajectory: { c: string; line: string }[];
  readonly forensics: { c: string; line: string }[];
  readonly audit: { c: string; line: string; count: number }[];
  readonly tasks: [string, { taskId: string; pTaskId: string; trust: Trust }][];
  readonly pseudonyms: string[];
  readonly events: number;
  readonly measurement: string;
}

const hex = (b: Buffer) => b.toString('hex');
const buf = (h: string) => Buffer.from(h, 'hex');

export function namespaceToJson(ns: NamespaceModel): NamespaceJson {
  const c = ns.config;
  return {
    config: { id: c.id, digest: c.digest, nsref: c.nsref, mode: c.mode, dialect: c.dialect, taskIdCoe: c.taskIdCoe, aggregate: hex(c.aggregate), base: hex(c.base) },
    points: ns.map.points().map((p) => ({ c: p.hex, valid: p.valid, count: p.count })),
    trajectory: ns.trajectory.map((e) => ({ c: hex(e.coefficient), line: e.line })),
    forensics: ns.forensics.map((e) => ({ c: hex(e.coefficient), line: e.line })),
    audit: [...ns.audit.values()].map((e) => ({ c: hex(e.coefficient), line: e.line, count: e.count })),
    tasks: [...ns.tasks.entries()].map(([k, t]) => [k, { taskId: hex(t.taskId), pTaskId: hex(t.pTaskId), trust: t.trust }]),
    pseudonyms: [...ns.pseudonyms],
    events: ns.eventCount,
    measurement: hex(ns.measurement),
  };
}

export function namespaceFromJson(j: NamespaceJson): NamespaceModel {
  const entry = (e: { c: string; line: string }) => ({ coefficient: buf(e.c), line: e.line });
  return NamespaceModel.restore({
    config: createNamespaceConfig({ ...j.config, aggregate: buf(j.config.aggregate), base: buf(j.config.base) }),
    points: j.points.map((p) => ({ coefficient: buf(p.c), valid: p.valid, count: p.count })),
    trajectory: j.trajectory.map(entry),
    forensics: j.forensics.map(entry),
    audit: j.audit.map((a) => ({ ...entry(a), count: a.count })),
    tasks: j.tasks.map(([k, t]) => [k, { taskId: buf(t.taskId), pTaskId: buf(t.pTaskId), trust: t.trust }]),
    pseudonyms: j.pseudonyms,
    events: j.events,
    measurement: buf(j.measurement),
  });
}
