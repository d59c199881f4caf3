/**
 * Operations: the engine's version, the persisted incidents, a namespace's untrusted tasks with
 * what made each untrusted, and their release by an admin (logged with the caller's identity and
 * recorded in the incident, which closes).
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { Log } from '../../common/log.js';
import type { Incident } from '../incident/incident.js';
import type { Pipeline } from '../ns/pipeline.js';
import type { NamespaceRegistry } from '../ns/registry.js';
import { forensicLines, untrustedCauses } from '../ns/entry-lines.js';
import type { OperationsHandlers } from '../../proto/gen/tsem/v1/Operations.js';
import type { Incident as WireIncident } from '../../proto/gen/tsem/v1/Incident.js';
import type { TaskInfo } from '../../proto/gen/tsem/v1/TaskInfo.js';
import { type AuthConfig, authorize, type Identity, mayAccess, type Role } from './auth.js';
import { callerIdentity } from './caller.js';
import { invalid, toStatus } from './to-status.js';

/** What the service needs of the incident log (implemented by engine/alert). */
export interface IncidentPort {
  incidents(q: {
    namespace?: string;
    sinceMs?: number;
    visible: (ns: string) => boolean;
    limit: number;
    openOnly: boolean;
  }): Promise<Incident[]>;
  incidentOfTask(ns: string, key: string): string | undefined;
  release(ns: string, keys: readonly string[], by: string): Promise<string[]>;
}

export interface VersionPort {
  readonly name: string;
  readonly version: string;
  readonly storeFormat?: string;
}

const DEFAULT_INCIDENTS = 100;
const MAX_INCIDENTS = 1000;

type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, cb: sendUnaryData<Res>) => void;

function unary<Req, Res>(
  auth: AuthConfig,
  role: Role,
  fn: (req: Req, id: Identity) => Promise<Res> | Res
): Handler<Req, Res> {
  return (call, cb) => {
    Promise.resolve()
      .then(() => {
        const id = callerIdentity(auth, call);
        const name = (call.request as { name?: string }).name;
        authorize(id, role, name || undefined);
        return fn(call.request, id);
      })
      .then(
        (res) => cb(null, res),
        (err: unknown) => cb(toStatus(err))
      );
  };
}

/** `pid:N`, `tid:HEX`, or a bare pid; prefixed `ORIGIN|` (identity@host) for events that came
 * over gRPC, whose tasks are per origin (as `tsem ns tasks` lists them). */
export function taskKeyOf(arg: string): string {
  if (/^\d+$/.test(arg)) return `pid:${arg}`;
  if (/^(?:[^|\x00-\x1f]{1,300}\|)?(?:pid:\d+|tid:[0-9a-f]+)$/.test(arg)) return arg;
  throw invalid(
    `task: expected a pid, pid:N, tid:HEX or ORIGIN|pid:N (as tsem ns tasks lists it), got '${arg}'`
  );
}

function incidentToWire(inc: Incident): WireIncident {
  return {
    id: inc.id,
    namespace: inc.namespace,
    status: inc.status,
    severity: inc.severity,
    title: inc.title,
    opened_ms: String(inc.openedMs),
    last_seen_ms: String(inc.lastSeenMs),
    closed_ms: String(inc.closedMs ?? 0),
    close_reason: inc.closeReason ?? '',
    events: String(inc.counts.events),
    alerts: String(inc.counts.alerts),
    denied: String(inc.counts.denied),
    root_task: inc.root.task,
    json: JSON.stringify(inc),
  };
}

export function createOperationsService(
  registry: NamespaceRegistry,
  pipeline: Pipeline,
  auth: AuthConfig,
  incidents: IncidentPort,
  version: VersionPort,
  log: Log
): OperationsHandlers {
  return {
    GetVersion: unary(auth, 'viewer', () => ({
      name: version.name,
      version: version.version,
      node: process.versions.node,
      store_format: version.storeFormat ?? '',
    })),
    ListIncidents: unary(auth, 'viewer', async (req, id) => {
      if (req.namespace) authorize(id, 'viewer', req.namespace);
      if (req.limit > MAX_INCIDENTS)
        throw invalid(`limit: at most ${MAX_INCIDENTS}, got ${req.limit}`);
      const list = await incidents.incidents({
        namespace: req.namespace || undefined,
        sinceMs: Number(req.since_ms) > 0 ? Number(req.since_ms) : undefined,
        visible: (ns) => mayAccess(id, ns),
        limit: req.limit || DEFAULT_INCIDENTS,
        openOnly: req.open_only,
      });
      return { incidents: list.map(incidentToWire) };
    }),
    ListTasks: unary(auth, 'viewer', async (req) => {
      if (!req.name) throw invalid('name: a namespace name is required');
      const ns = registry.require(req.name);
      const lines = await forensicLines(ns, untrustedCauses(ns), registry.store);
      const tasks: TaskInfo[] = [];
      for (const [key, t] of ns.taskEntries()) {
        if (req.untrusted_only && t.trust !== 'untrusted') continue;
        const c = t.cause;
        tasks.push({
          key,
          task_id: t.taskId.toString('hex'),
          p_task_id: t.pTaskId.toString('hex'),
          trust: t.trust,
          untrusted_seq: String(c?.seq ?? 0),
          untrusted_type: c?.type ?? '',
          untrusted_coefficient: c?.coefficient ?? '',
          inherited_from: c?.from ?? '',
          incident: incidents.incidentOfTask(ns.id, key) ?? '',
          untrusted_event: (c?.coefficient && lines.get(c.coefficient)) || '',
        });
      }
      return { tasks };
    }),
    ReleaseTask: unary(auth, 'admin', async (req, id) => {
      if (!req.name) throw invalid('name: a namespace name is required');
      registry.require(req.name);
      const key = taskKeyOf(req.task);
      const released = await pipeline.control(req.name, (ns) => {
        const t = ns.task(key);
        if (!t) throw invalid(`task: namespace ${req.name} has no task ${key}`);
        if (t.trust !== 'untrusted') throw invalid(`task: ${key} in ${req.name} is not untrusted`);
        return ns.releaseTask(key);
      });
      const closed = await incidents.release(req.name, released, id.name);
      log.warn('admin action: release task', {
        action: 'release-task',
        caller: id.name,
        namespace: req.name,
        task: key,
        released,
        incidents: closed,
      });
      return { released, incidents: closed };
    }),
  };
}
