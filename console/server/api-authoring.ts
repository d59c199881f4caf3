/**
 * The policy author's loop in the console, on the engine's own logic (engine/ns/authoring.ts, as
 * the Control RPCs use it): points and findings with the description of the event behind each,
 * the explanation of an unknown point (the nearest trained points and the fields that differ),
 * and accepting findings and forensic points into the model (admin, logged).
 */
import { descriptionFields, type EventDescription } from '../../engine/event/describe.js';
import { type PointFilter, type PointInfo, PolicyAuthoring } from '../../engine/ns/authoring.js';
import { namespaceSummary } from './api-namespaces.js';
import { type ApiRoute, intParam } from './api-router.js';
import type { ConsoleDeps } from './console-deps.js';
import { HttpError } from './http-io.js';

const MAX_PAGE = 500;
const MAX_ACCEPT = 1000;

/** A description as `[field, value]` pairs in description order (`cell.file.path`, …). */
const fieldsOf = (d: EventDescription | undefined) =>
  d ? [...descriptionFields(d)].map(([k, v]) => [k, v] as const) : undefined;

function pointJson(p: PointInfo) {
  return {
    hex: p.hex,
    status: p.status,
    count: p.count,
    firstMs: p.first,
    lastMs: p.last,
    fields: fieldsOf(p.description),
  };
}

const FILTERS: readonly PointFilter[] = ['all', 'valid', 'forensic'];

export function authoringRoutes(d: ConsoleDeps): ApiRoute[] {
  const authoring = new PolicyAuthoring(d.registry, d.pipeline);
  const page = (q: URLSearchParams) => ({
    offset: intParam(q, 'offset', 0, Number.MAX_SAFE_INTEGER),
    limit: intParam(q, 'limit', 100, MAX_PAGE),
  });
  return [
    {
      method: 'GET',
      path: '/namespaces/:ns/points',
      role: 'viewer',
      handler: async ({ params, query }) => {
        const filter = (query.get('filter') || 'all') as PointFilter;
        if (!FILTERS.includes(filter))
          throw new HttpError(400, `filter: expected ${FILTERS.join(', ')}`);
        const p = page(query);
        const r = await authoring.listPoints(params['ns']!, p, filter, true);
        return { total: r.total, offset: p.offset, items: r.points.map(pointJson) };
      },
    },
    {
      method: 'GET',
      path: '/namespaces/:ns/findings',
      role: 'viewer',
      handler: async ({ params, query }) => {
        const p = page(query);
        const r = await authoring.listFindings(params['ns']!, p);
        return {
          total: r.total,
          findings: r.findings,
          forensic: r.forensic,
          offset: p.offset,
          items: r.items.map(pointJson),
        };
      },
    },
    {
      method: 'GET',
      path: '/namespaces/:ns/explain/:coefficient',
      role: 'viewer',
      handler: async ({ params }) => {
        const e = await authoring.explain(params['ns']!, params['coefficient']!);
        return {
          point: pointJson(e.point),
          compared: e.compared,
          undescribed: e.undescribed,
          nearest: e.nearest.map((n) => ({
            hex: n.hex,
            count: n.count,
            sameType: n.sameType,
            sameProcess: n.sameProcess,
            differing: n.differing,
            differences: n.differences,
            fields: fieldsOf(n.description),
          })),
        };
      },
    },
    {
      method: 'POST',
      path: '/namespaces/:ns/accept',
      role: 'admin',
      handler: async ({ params, body, identity }) => {
        const name = params['ns']!;
        const all = body['all'] === true;
        const raw = body['coefficients'] ?? [];
        if (
          !Array.isArray(raw) ||
          raw.some((c) => typeof c !== 'string') ||
          raw.length > MAX_ACCEPT
        )
          throw new HttpError(
            400,
            `coefficients: expected a list of at most ${MAX_ACCEPT} hex strings`
          );
        const { outcomes, ns } = await authoring.accept(name, raw as string[], all);
        d.log.warn('admin action: accept points', {
          action: 'accept points',
          caller: identity.name,
          namespace: name,
          accepted: outcomes.length,
          all,
          via: 'console',
        });
        return { outcomes, namespace: namespaceSummary(ns) };
      },
    },
  ];
}
