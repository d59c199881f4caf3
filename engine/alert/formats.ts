/**
 * The alert formats: the native JSON (the incident as the engine keeps it), OCSF 1.8.0 Detection
 * Finding (class 2004) and ECS. docs/operations.md §6 shows one of each and says where the fields
 * come from. Pure: product name and version come in as arguments.
 */
import {
  type AlertRecord,
  deliveryId,
  type EventSummary,
  type Severity,
} from '../incident/incident.js';
import { eventFacts } from './event-facts.js';

export type AlertFormat = 'native' | 'ocsf' | 'ecs';
export const ALERT_FORMATS: readonly AlertFormat[] = ['native', 'ocsf', 'ecs'];

export interface Product {
  readonly name: string;
  readonly version: string;
}

export const NATIVE_SCHEMA = 'tsem.alert.v1';
export const OCSF_VERSION = '1.8.0';
export const ECS_VERSION = '9.4.0';

export function nativeAlert(r: AlertRecord): Record<string, unknown> {
  return {
    schema: NATIVE_SCHEMA,
    id: deliveryId(r),
    seq: r.seq,
    activity: r.activity,
    time: new Date(r.timeMs).toISOString(),
    incident: r.incident,
  };
}

const OCSF_ACTIVITY = { open: [1, 'Create'], update: [2, 'Update'], close: [3, 'Close'] } as const;
const OCSF_SEVERITY: Record<Severity, [number, string]> = {
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
};

/** OCSF class of the event behind a related event, by hook (type_uid = class × 100 + activity). */
function relatedTypeUid(type: string): number | undefined {
  if (type === 'bprm_committed_creds') return 100701; // Process Activity: Launch
  if (type === 'file_open') return 100114; // File System Activity: Open
  if (type === 'socket_connect') return 400101; // Network Activity: Open
  return undefined;
}

function ocsfEvidence(e: EventSummary): Record<string, unknown> {
  const facts = eventFacts(e.event);
  const process = { name: e.process, ...(e.pid !== undefined ? { pid: e.pid } : {}), uid: e.task };
  const ev: Record<string, unknown> = { process };
  if (facts.path !== undefined) {
    const name = facts.path.slice(facts.path.lastIndexOf('/') + 1) || facts.path;
    ev['file'] = { name, path: facts.path, type_id: 1 };
  }
  if (facts.address) ev['dst_endpoint'] = { ip: facts.address.ip, port: facts.address.port };
  ev['data'] = {
    tsem_event_type: e.type,
    verdict: e.kind,
    action: e.action,
    seq: e.seq,
    ...(e.landlock !== undefined ? { landlock_denied: e.landlock } : {}),
  };
  return ev;
}

/** The incident's Landlock denials (docs/landlock.md §5): the denied actions the kernel refused. */
function landlockDenials(inc: AlertRecord['incident']): EventSummary[] {
  return inc.denials.filter((e) => e.landlock !== undefined);
}

/** OCSF 1.8.0 Detection Finding. The Linux namespace has no OCSF attribute: it is in `unmapped`. */
export function ocsfAlert(r: AlertRecord, product: Product): Record<string, unknown> {
  const inc = r.incident;
  const [activityId, activityName] = OCSF_ACTIVITY[r.activity];
  const [severityId, severity] = OCSF_SEVERITY[inc.severity];
  const closed = r.activity === 'close';
  const types = [
    ...(inc.counts.offContour > 0 ? ['off-contour'] : []),
    ...(inc.counts.wouldBe > 0 ? ['would-be-off-contour'] : []),
    ...(inc.counts.untrusted > 0 ? ['untrusted-task'] : []),
    ...(inc.counts.denied > 0 ? ['denied'] : []),
    ...(inc.counts.ima > 0 ? ['ima-failure'] : []),
    ...(landlockDenials(inc).length > 0 ? ['landlock-denied'] : []),
  ];
  // The Landlock denials are evidence too, also when alerts of the task filled the samples.
  const evidence = [
    ...inc.samples,
    ...landlockDenials(inc).filter((d) => !inc.samples.some((s) => s.seq === d.seq)),
  ];
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: activityId,
    activity_name: activityName,
    type_uid: 2004 * 100 + activityId,
    type_name: `Detection Finding: ${activityName}`,
    severity_id: severityId,
    severity,
    time: r.timeMs,
    start_time: inc.openedMs,
    end_time: inc.closedMs ?? inc.lastSeenMs,
    status_id: closed ? 4 : r.activity === 'open' ? 1 : 2,
    status: closed ? 'Resolved' : r.activity === 'open' ? 'New' : 'In Progress',
    is_alert: r.activity === 'open',
    confidence_id: 3,
    message: inc.title,
    metadata: {
      version: OCSF_VERSION,
      uid: deliveryId(r),
      product: { name: product.name, vendor_name: product.name, version: product.version },
      log_name: 'incidents',
    },
    finding_info: {
      uid: inc.id,
      title: inc.title,
      types,
      desc: `${inc.counts.events} event(s) of ${inc.taskCount} task(s): ${inc.counts.alerts} alert(s), ${inc.counts.denied} denied`,
      analytic: {
        type_id: 2,
        type: 'Behavioral',
        name: 'TSEM contour map',
        uid: inc.namespace,
      },
      created_time: inc.openedMs,
      first_seen_time: inc.openedMs,
      last_seen_time: inc.lastSeenMs,
      related_events: inc.samples.map((e) => {
        const typeUid = relatedTypeUid(e.type);
        return {
          uid: `${inc.namespace}:${e.seq}`,
          ...(typeUid !== undefined ? { type_uid: typeUid } : {}),
          type: e.type,
        };
      }),
    },
    evidences: evidence.map(ocsfEvidence),
    device: { hostname: inc.host, type_id: 0 },
    unmapped: {
      tsem: {
        namespace: inc.namespace,
        mode: inc.mode,
        exporter: inc.exporter,
        counts: inc.counts,
        types: inc.types,
        tasks: inc.tasks,
        task_count: inc.taskCount,
        ...(inc.closeReason ? { close_reason: inc.closeReason } : {}),
        ...(inc.releasedBy ? { released_by: inc.releasedBy } : {}),
        ima: inc.ima,
        rate_limited: inc.rateLimited,
        version: inc.version,
      },
    },
  };
}

const ECS_SEVERITY: Record<Severity, number> = { low: 2, medium: 3, high: 4 };

/** ECS: an alert (event.kind) in intrusion_detection, denied when anything was denied. */
export function ecsAlert(r: AlertRecord, product: Product): Record<string, unknown> {
  const inc = r.incident;
  const t = inc.trigger;
  const facts = eventFacts(t.event);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    '@timestamp': iso(r.timeMs),
    ecs: { version: ECS_VERSION },
    message: inc.title,
    event: {
      kind: 'alert',
      category: ['intrusion_detection'],
      type: [inc.counts.denied > 0 ? 'denied' : 'info'],
      action: `incident-${r.activity}`,
      id: deliveryId(r),
      severity: ECS_SEVERITY[inc.severity],
      start: iso(inc.openedMs),
      end: iso(inc.closedMs ?? inc.lastSeenMs),
      created: iso(r.timeMs),
      dataset: 'tsem.incident',
      module: 'tsem',
      provider: product.name,
      reason: inc.title,
    },
    rule: {
      name: t.kind,
      category: t.type,
      ruleset: `tsem contour map ${inc.namespace}`,
    },
    process: {
      name: inc.root.process,
      ...(inc.root.pid !== undefined ? { pid: inc.root.pid } : {}),
      entity_id: inc.root.task,
    },
    ...(facts.path !== undefined ? { file: { path: facts.path } } : {}),
    ...(facts.address ? { destination: { ip: facts.address.ip, port: facts.address.port } } : {}),
    host: { hostname: inc.host },
    observer: {
      product: product.name,
      vendor: product.name,
      version: product.version,
      type: 'ids',
    },
    labels: {
      tsem_namespace: inc.namespace,
      tsem_incident: inc.id,
      ...(landlockDenials(inc).length > 0
        ? {
            tsem_landlock_denied: [
              ...new Set(landlockDenials(inc).flatMap((e) => e.landlock!.split(','))),
            ].join(','),
          }
        : {}),
    },
    tsem: { incident: inc },
  };
}

/**
 * How much of an incident a message carries: everything, without the events' kernel lines
 * (`compact`), or only counts and the trigger (`minimal`), for transports with a size limit.
 */
export type Detail = 'full' | 'compact' | 'minimal';

function reduced(r: AlertRecord, detail: Detail): AlertRecord {
  if (detail === 'full') return r;
  const strip = (e: EventSummary): EventSummary => ({ ...e, event: '' });
  const inc = r.incident;
  const incident =
    detail === 'compact'
      ? {
          ...inc,
          trigger: strip(inc.trigger),
          samples: inc.samples.map(strip),
          denials: inc.denials.map(strip),
        }
      : {
          ...inc,
          trigger: strip(inc.trigger),
          samples: [strip(inc.trigger)],
          denials: [],
          tasks: inc.tasks.slice(0, 4),
          types: {},
          ima: inc.ima.slice(0, 2),
        };
  return { ...r, incident };
}

export function renderAlert(
  record: AlertRecord,
  format: AlertFormat,
  product: Product,
  detail: Detail = 'full'
): string {
  const r = reduced(record, detail);
  const body =
    format === 'ocsf'
      ? ocsfAlert(r, product)
      : format === 'ecs'
        ? ecsAlert(r, product)
        : nativeAlert(r);
  return JSON.stringify(body);
}
