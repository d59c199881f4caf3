/**
 * Namespaces in the console: the list and one namespace's figures, its convergence, tasks,
 * trajectory and forensics; an admin switches modes and releases untrusted tasks (both logged
 * with the caller, as over gRPC).
 */
import { isSealedMode, parseMode } from '../../engine/contour/mode.js';
import {
  entriesWithLines,
  type EntryList,
  forensicLines,
  indexRange,
  untrustedCauses,
} from '../../engine/ns/entry-lines.js';
import type { NamespaceModel } from '../../engine/ns/namespace-model.js';
import type { NamespaceRegistry } from '../../engine/ns/registry.js';
import { mayAccess } from '../../engine/server/auth.js';
import { taskKeyOf } from '../../engine/server/operations-service.js';
import { type ApiRoute, intParam, stringField } from './api-router.js';
import type { ConsoleDeps } from './console-deps.js';
import { HttpError } from './http-io.js';

/** What the list and the live view carry: cheap to compute for every namespace each second. */
export function namespaceSummary(ns: NamespaceModel) {
  return {
    name: ns.id,
    mode: ns.mode,
    digest: ns.config.digest,
    events: ns.eventCount,
    points: ns.pointCount,
    forensics: ns.forensics().length,
    findings: ns.findingCount,
    untrustedTasks: ns.untrustedTaskCount(),
    settled: ns.convergence.settled(),
  };
}

export type NamespaceSummary = ReturnType<typeof namespaceSummary>;

function namespaceDetail(ns: NamespaceModel) {
  const c = ns.config;
  return {
    ...namespaceSummary(ns),
    dialect: c.dialect,
    nsref: c.nsref,
    validPoints: ns.validPointCount(),
    forensicPoints: ns.forensicPointCount(),
    trajectory: ns.trajectory().length,
    measurement: ns.measurement.toString('hex'),
    state: ns.state().toString('hex'),
    aggregate: c.aggregate.toString('hex'),
    base: c.base.toString('hex'),
  };
}

export function convergenceOf(ns: NamespaceModel) {
  const c = ns.convergence;
  return {
    windowEvents: c.windowEvents,
    settled: c.settled(),
    windows: c.figures().map((w) => ({
      eventsEnd: w.eventsEnd,
      events: w.events,
      newPoints: w.newPoints,
    })),
  };
}

const MAX_PAGE = 500;

function page<T>(
  items: { readonly length: number; slice(from: number, to: number): T[] },
  q: URLSearchParams
) {
  const offset = intParam(q, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(q, 'limit', 100, MAX_PAGE);
  return { total: items.length, offset, items: items.slice(offset, offset + limit) };
}

export function namespaceRoutes(d: ConsoleDeps): ApiRoute[] {
  const need = (name: string | undefined) => d.registry.require(name ?? '');
  return [
    {
      method: 'GET',
      path: '/namespaces',
      role: 'viewer',
      handler: ({ identity }) => ({
        namespaces: d.registry
          .list()
          .filter((ns) => mayAccess(identity, ns.id))
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .map(namespaceSummary),
      }),
    },
    {
      method: 'GET',
      path: '/namespaces/:ns',
      role: 'viewer',
      handler: ({ params }) => namespaceDetail(need(params['ns'])),
    },
    {
      method: 'GET',
      path: '/namespaces/:ns/convergence',
      role: 'viewer',
      handler: ({ params }) => convergenceOf(need(params['ns'])),
    },
    {
      method: 'POST',
      path: '/namespaces/:ns/mode',
      role: 'admin',
      handler: async ({ params, body, identity }) => {
        const name = params['ns']!;
        need(name);
        const wanted = stringField(body, 'mode');
        const mode = parseMode(wanted);
        if (!mode)
          throw new HttpError(
            400,
            `mode: expected learn, audit, sealed or enforce, got '${wanted.slice(0, 40)}'`
          );
        const ns = await d.pipeline.control(name, (m) => {
          d.log.warn('admin action: set mode', {
            action: 'set mode',
            caller: identity.name,
            namespace: name,
            from: m.mode,
            to: mode,
            via: 'console',
          });
          m.setMode(mode);
          return m;
        });
        return namespaceDetail(ns);
      },
    },
    {
      method: 'GET',
      path: '/namespaces/:ns/tasks',
      role: 'viewer',
      handler: async ({ params, query }) => {
        const ns = need(params['ns']);
        const untrustedOnly = query.get('untrusted') !== '0';
        const lines = await forensicLines(ns, untrustedCauses(ns), d.registry.store);
        const tasks = [];
        for (const [key, t] of ns.taskEntries()) {
          if (untrustedOnly && t.trust !== 'untrusted') continue;
          const c = t.cause;
          tasks.push({
            key,
            taskId: t.taskId.toString('hex'),
            trust: t.trust,
            cause: c
              ? {
                  seq: c.seq,
                  type: c.type,
                  coefficient: c.coefficient ?? '',
                  inheritedFrom: c.from ?? '',
                  event: (c.coefficient && lines.get(c.coefficient)) || '',
                }
              : undefined,
            incident: d.alerts.incidentOfTask(ns.id, key) ?? '',
          });
          if (tasks.length >= MAX_PAGE) break;
        }
        return { tasks, sealed: isSealedMode(ns.mode) };
      },
    },
    {
      method: 'POST',
      path: '/namespaces/:ns/tasks/release',
      role: 'admin',
      handler: async ({ params, body, identity }) => {
        const name = params['ns']!;
        need(name);
        const key = taskKeyOf(stringField(body, 'task'));
        const released = await d.pipeline.control(name, (ns) => {
          const t = ns.task(key);
          if (!t) throw new HttpError(404, `namespace ${name} has no task ${key}`);
          if (t.trust !== 'untrusted') throw new HttpError(400, `${key} is not untrusted`);
          return ns.releaseTask(key);
        });
        const incidents = await d.alerts.release(name, released, identity.name);
        d.log.warn('admin action: release task', {
          action: 'release-task',
          caller: identity.name,
          namespace: name,
          task: key,
          released,
          incidents,
          via: 'console',
        });
        return { released, incidents };
      },
    },
    {
      method: 'GET',
      path: '/namespaces/:ns/trajectory',
      role: 'viewer',
      handler: ({ params, query }) =>
        entries(need(params['ns']), 'trajectory', query, d.registry.store),
    },
    {
      method: 'GET',
      path: '/namespaces/:ns/forensics',
      role: 'viewer',
      handler: ({ params, query }) =>
        entries(need(params['ns']), 'forensics', query, d.registry.store),
    },
  ];
}

async function entries(
  ns: NamespaceModel,
  which: EntryList,
  q: URLSearchParams,
  store: NamespaceRegistry['store']
) {
  const p = page(which === 'trajectory' ? ns.trajectory() : ns.forensics(), q);
  const at = indexRange(p.offset, p.offset + p.items.length);
  const items = await entriesWithLines(ns, which, at, store);
  return {
    ...p,
    items: items.map((e) => {
      const hex = e.coefficient.toString('hex');
      return { coefficient: hex, count: ns.point(hex)?.count ?? 0, event: e.line };
    }),
  };
}
