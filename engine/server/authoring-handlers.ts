/**
 * Control RPCs of the policy author's loop (engine/ns/authoring.ts does the work): ListPoints,
 * ListFindings, Explain, AcceptPoints and SetConvergence, and the convergence figures.
 */
import type { ControlHandlers } from '../../proto/gen/tsem/v1/Control.js';
import type { ConvergenceResponse } from '../../proto/gen/tsem/v1/ConvergenceResponse.js';
import type { Point } from '../../proto/gen/tsem/v1/Point.js';
import type { PointDescription } from '../../proto/gen/tsem/v1/PointDescription.js';
import type { PointStatus } from '../../proto/gen/tsem/v1/PointStatus.js';
import { descriptionFields, type EventDescription } from '../event/describe.js';
import { DEFAULT_WINDOW_EVENTS } from '../ns/convergence.js';
import type { PointFilter, PointInfo, PolicyAuthoring } from '../ns/authoring.js';
import type { NamespaceModel } from '../ns/namespace-model.js';
import type { Pipeline } from '../ns/pipeline.js';
import type { NamespaceRegistry } from '../ns/registry.js';
import type { Log } from '../../common/log.js';
import type { AuthConfig } from './auth.js';
import { invalid } from './to-status.js';
import { pageBounds, unary } from './unary.js';
import { modeFromWire, modeToWire, namespaceInfo } from './wire.js';

type Authoring = Pick<
  ControlHandlers,
  'ListPoints' | 'ListFindings' | 'Explain' | 'AcceptPoints' | 'SetConvergence'
>;

const STATUS: Record<PointInfo['status'], PointStatus> = {
  valid: 'POINT_STATUS_VALID',
  forensic: 'POINT_STATUS_FORENSIC',
  finding: 'POINT_STATUS_FINDING',
  unknown: 'POINT_STATUS_UNSPECIFIED',
};

export function descriptionToWire(d: EventDescription): PointDescription {
  return {
    type: d.type,
    process: d.process,
    task_id: d.task_id ?? '',
    p_task_id: d.p_task_id ?? '',
    coe: { ...d.coe },
    cell_json: JSON.stringify(d.cell),
    fields: [...descriptionFields(d)].map(([name, value]) => ({ name, value })),
  };
}

export function pointToWire(p: PointInfo): Point {
  return {
    coefficient: p.hex,
    count: String(p.count),
    valid: p.status === 'valid',
    first_seen_ms: String(p.first ?? 0),
    last_seen_ms: String(p.last ?? 0),
    status: STATUS[p.status],
    ...(p.description ? { description: descriptionToWire(p.description) } : {}),
  };
}

const FILTERS: Record<string, PointFilter> = {
  POINT_FILTER_UNSPECIFIED: 'all',
  POINT_FILTER_VALID: 'valid',
  POINT_FILTER_FORENSIC: 'forensic',
};

/** Auto-sealing switches a learning namespace to sealed or enforce, nothing else. */
function autoSealMode(m: string | number | undefined): 'sealed' | 'enforce' {
  const mode = modeFromWire(m, 'auto_seal_mode', 'sealed');
  if (mode !== 'sealed' && mode !== 'enforce')
    throw invalid(`auto_seal_mode: expected MODE_SEALED or MODE_ENFORCE, got '${String(m)}'`);
  return mode;
}

/** The windows are bounded (engine/ns/convergence.ts); a window of a year is surely a mistake. */
const MAX_WINDOW_MS = 366 * 24 * 3600 * 1000;

export function convergenceResponse(ns: NamespaceModel): ConvergenceResponse {
  const c = ns.convergence;
  const s = c.settings;
  return {
    windows: c.figures().map((w) => ({
      events_end: String(w.eventsEnd),
      events: String(w.events),
      new_points: String(w.newPoints),
      start_ms: String(w.startMs ?? 0),
      end_ms: String(w.endMs ?? 0),
    })),
    settled: c.settled(),
    window_events: String(c.windowEvents),
    window_ms: String(s.windowMs ?? 0),
    auto_seal_after: s.autoSealAfter,
    auto_seal_mode: modeToWire(s.autoSealMode),
    quiet_windows: c.quietWindows,
    mode: modeToWire(ns.mode),
  };
}

export function authoringHandlers(
  authoring: PolicyAuthoring,
  registry: NamespaceRegistry,
  pipeline: Pipeline,
  auth: AuthConfig,
  log?: Log
): Authoring {
  return {
    ListPoints: unary(auth, 'viewer', async (req) => {
      const filter = FILTERS[String(req.filter)];
      if (!filter) throw invalid(`filter: unknown point filter '${String(req.filter)}'`);
      const r = await authoring.listPoints(
        req.name,
        pageBounds(req.offset, req.limit),
        filter,
        req.descriptions
      );
      return { points: r.points.map(pointToWire), total: String(r.total) };
    }),
    ListFindings: unary(auth, 'viewer', async (req) => {
      const r = await authoring.listFindings(req.name, pageBounds(req.offset, req.limit));
      return {
        findings: r.items.map(pointToWire),
        total: String(r.total),
        audit_findings: String(r.findings),
        forensic_points: String(r.forensic),
      };
    }),
    Explain: unary(auth, 'viewer', async (req) => {
      const e = await authoring.explain(req.name, req.coefficient, req.nearest);
      return {
        point: pointToWire(e.point),
        nearest: e.nearest.map((n) => ({
          point: pointToWire({
            hex: n.hex,
            status: 'valid',
            count: n.count,
            description: n.description,
          }),
          same_type: n.sameType,
          same_process: n.sameProcess,
          differing: n.differing,
          differences: n.differences.map((d) => ({
            field: d.field,
            value: d.value ?? '',
            nearest_value: d.nearest ?? '',
            value_present: d.value !== undefined,
            nearest_present: d.nearest !== undefined,
          })),
        })),
        compared: String(e.compared),
        undescribed: String(e.undescribed),
      };
    }),
    AcceptPoints: unary(
      auth,
      'admin',
      async (req) => {
        const r = await authoring.accept(req.name, req.coefficients, req.all);
        return {
          accepted: r.outcomes.map((o) => ({
            coefficient: o.hex,
            was: o.was === 'unknown' ? 'POINT_STATUS_UNSPECIFIED' : STATUS[o.was],
          })),
          namespace: namespaceInfo(r.ns),
        };
      },
      {
        log,
        action: 'accept points',
        fields: (r) => (r.all ? { all: true } : { coefficients: r.coefficients }),
      }
    ),
    SetConvergence: unary(
      auth,
      'admin',
      async (req) => {
        if (!req.name) throw invalid('name: a namespace name is required');
        registry.require(req.name);
        const windowMs = Number(req.window_ms);
        const windowEvents = Number(req.window_events) || DEFAULT_WINDOW_EVENTS;
        if (windowMs > MAX_WINDOW_MS)
          throw invalid(`window_ms: at most ${MAX_WINDOW_MS} (a year), got ${windowMs}`);
        if (windowEvents > Number.MAX_SAFE_INTEGER) throw invalid('window_events: too large');
        const settings = {
          windowEvents,
          ...(windowMs > 0 ? { windowMs } : {}),
          autoSealAfter: req.auto_seal_after,
          autoSealMode: autoSealMode(req.auto_seal_mode),
        };
        return pipeline.control(req.name, (ns) => {
          ns.configureConvergence(settings, Date.now());
          return convergenceResponse(ns);
        });
      },
      {
        log,
        action: 'set convergence',
        fields: (r) => ({
          window_events: r.window_events,
          window_ms: r.window_ms,
          auto_seal_after: r.auto_seal_after,
        }),
      }
    ),
  };
}
