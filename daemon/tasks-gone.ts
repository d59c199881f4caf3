/**
 * Whether an incident's tasks are all gone, for the incident tracker. Only answerable for events
 * of this host's kernel sources (fanotify, audit): their pids are this host's. Others (remote
 * exporters, simulations) close after the quiet period instead.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Incident } from '../engine/incident/incident.js';
import { pidOfTaskKey } from '../engine/ns/namespace-model.js';

const LOCAL_EXPORTERS = new Set(['fanotify', 'audit']);

export function localTasksGone(
  host: string = hostname(),
  procRoot = '/proc'
): (inc: Readonly<Incident>, keys: ReadonlySet<string>) => boolean {
  return (inc, keys) => {
    if (inc.host !== host || !LOCAL_EXPORTERS.has(inc.exporter) || inc.rateLimited) return false;
    let pids = 0;
    for (const k of keys) {
      const pid = pidOfTaskKey(k);
      if (pid === undefined) return false;
      pids++;
      if (existsSync(`${procRoot}/${pid}`)) return false;
    }
    return pids > 0;
  };
}
