/** Incidents from the persisted alert log: the list (newest first) and one with its events. */
import {
  type Incident,
  SEVERITIES,
  type Severity,
  severityRank,
} from '../../engine/incident/incident.js';
import { authorize, mayAccess } from '../../engine/server/auth.js';
import { type ApiRoute, intParam } from './api-router.js';
import type { ConsoleDeps } from './console-deps.js';
import { HttpError } from './http-io.js';

/** An incident as the list shows it (the event samples stay for the detail view). */
export function incidentSummary(inc: Incident) {
  return {
    id: inc.id,
    namespace: inc.namespace,
    status: inc.status,
    severity: inc.severity,
    title: inc.title,
    mode: inc.mode,
    openedMs: inc.openedMs,
    lastSeenMs: inc.lastSeenMs,
    closedMs: inc.closedMs,
    closeReason: inc.closeReason,
    root: inc.root,
    counts: inc.counts,
    version: inc.version,
  };
}

export function severityParam(q: URLSearchParams): Severity | undefined {
  const s = q.get('severity');
  if (s === null || s === '') return undefined;
  if (!(SEVERITIES as readonly string[]).includes(s))
    throw new HttpError(
      400,
      `severity: expected ${SEVERITIES.join(', ')}, got '${s.slice(0, 40)}'`
    );
  return s as Severity;
}

export function incidentRoutes(d: ConsoleDeps): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/incidents',
      role: 'viewer',
      handler: async ({ identity, query }) => {
        const namespace = query.get('namespace') || undefined;
        if (namespace) authorize(identity, 'viewer', namespace);
        const min = severityParam(query);
        const limit = intParam(query, 'limit', 100, 1000);
        const list = await d.alerts.incidents({
          namespace,
          visible: (ns) => mayAccess(identity, ns),
          limit: min ? 1000 : limit,
          openOnly: query.get('open') === '1',
        });
        return {
          lastSeq: d.alerts.lastSeq,
          incidents: list
            .filter((i) => !min || severityRank(i.severity) >= severityRank(min))
            .slice(0, limit)
            .map(incidentSummary),
        };
      },
    },
    {
      method: 'GET',
      path: '/incidents/:id',
      role: 'viewer',
      handler: async ({ identity, params }) => {
        const id = params['id']!;
        const inc = /^[0-9A-Za-z-]{1,64}$/.test(id) ? await d.alerts.incident(id) : undefined;
        // Another tenant's incident is as absent as one that never was.
        if (!inc || !mayAccess(identity, inc.namespace))
          throw new HttpError(404, `no incident ${id.slice(0, 64)}`);
        return {
          ...incidentSummary(inc),
          host: inc.host,
          exporter: inc.exporter,
          releasedBy: inc.releasedBy,
          trigger: inc.trigger,
          samples: inc.samples,
          denials: inc.denials,
          ima: inc.ima,
          types: inc.types,
          tasks: inc.tasks,
          taskCount: inc.taskCount,
        };
      },
    },
  ];
}
