/**
 * Groups alerts into incidents. An alert (off-contour, would-be off-contour, untrusted task, a
 * denial, an IMA failure) of a task that has no incident opens one; every later event of that task
 * and of its descendants (children name it as their parent) attaches to it: counts, first and last
 * time, denied actions, IMA failures once per file. Openings are rate limited per namespace and
 * severity; those over the limit fold into one "rate limited" incident with a count. Incidents
 * close after a quiet period, when their tasks are gone, when released, or with their namespace.
 *
 * Pure: the caller passes times, ids and the "tasks gone" probe; drain() hands the changes over
 * for persistence and delivery, in order.
 */
import type { Mode } from '../contour/mode.js';
import type { Mutable } from '../../common/mutable.js';
import {
  type Activity,
  type AlertRecord,
  type CloseReason,
  EVENT_TEXT_MAX,
  type EventSummary,
  type Incident,
  maxSeverity,
  SAMPLES_MAX,
  type Severity,
  TASKS_LISTED,
  TYPES_MAX,
} from './incident.js';
import { DEFAULT_RATE_LIMIT, type RateLimit, RateLimiter } from './rate-limit.js';

/** One processed event, as the tracker needs it. */
export interface IncidentEvent {
  readonly namespace: string;
  readonly mode: Mode;
  readonly host: string;
  readonly exporter: string;
  readonly timeMs: number;
  readonly seq: number;
  readonly type: string;
  readonly process: string;
  readonly pid?: number;
  /** `pid:N`, or `tid:HEX` for kernel sources without pids. */
  readonly taskKey: string;
  /** `pid:PPID` when the event names its parent. */
  readonly parentKey?: string;
  readonly taskId: string;
  readonly pTaskId: string;
  readonly kind: string;
  readonly action: 'allow' | 'deny';
  readonly coefficient?: string;
  readonly line: string;
  /** IMA failure records of this event (host and namespace levels alike). */
  readonly ima: readonly Readonly<Record<string, string>>[];
  /** A Landlock denial: the access rights the kernel denied. */
  readonly landlock?: string;
}

export interface TrackerOptions {
  /** An incident with no event for this long closes (default 10 minutes). */
  readonly quietMs?: number;
  /** Changes of an open incident go out at most this often (default 30 s). */
  readonly updateIntervalMs?: number;
  readonly rateLimit?: RateLimit;
  /** Open incidents kept at most; beyond it openings fold into the rate-limited ones. */
  readonly maxOpen?: number;
  /** New incident ids (random UUIDs in the engine). */
  readonly newId: () => string;
}

export const DEFAULT_QUIET_MS = 600_000;
export const DEFAULT_UPDATE_INTERVAL_MS = 30_000;
export const DEFAULT_MAX_OPEN = 10_000;
/** Task → incident links kept at most (like the task table). */
const MAX_LINKS = 65_536;
/** Task keys remembered per incident (persisted, to re-link after a restart). */
const KEYS_KEPT = 1024;

/** An open incident with what the tracker keeps beside it (persisted together). */
export interface StoredIncident {
  readonly incident: Incident;
  readonly keys: readonly string[];
  readonly tids: readonly string[];
  readonly lastEmitMs: number;
  readonly changed: boolean;
  readonly pendingOpen?: boolean;
}

interface State {
  inc: Incident;
  keys: Set<string>;
  tids: Set<string>;
  lastEmitMs: number;
  changed: boolean;
  pendingOpen: boolean;
}

export interface Drained {
  /** Incidents whose state changed (open and just-closed ones). */
  readonly incidents: StoredIncident[];
  /** New alert-log records, in order. */
  readonly records: AlertRecord[];
}

/** The severity of one event, or undefined when it is not an alert. */
export function eventSeverity(
  e: Pick<IncidentEvent, 'action' | 'kind' | 'ima' | 'mode' | 'landlock'>
): Severity | undefined {
  if (e.action === 'deny') return 'high';
  // A Landlock denial is off-contour by construction (the ruleset allows what the model holds).
  if (e.kind === 'off-contour' || e.kind === 'untrusted-task' || e.landlock !== undefined)
    return 'medium';
  if (e.kind === 'would-be-off-contour') return 'low';
  if (e.ima.length > 0) return e.mode === 'sealed' || e.mode === 'enforce' ? 'medium' : 'low';
  return undefined;
}

function describe(e: IncidentEvent): string {
  if (e.action === 'deny') return 'denied';
  if (e.kind === 'off-contour') return 'off-contour';
  if (e.kind === 'would-be-off-contour') return 'would-be off-contour';
  if (e.kind === 'untrusted-task') return 'untrusted task:';
  return 'IMA failure on';
}

export function summarize(e: IncidentEvent): EventSummary {
  // Field by field in order: `{ ...x, k }` is slow in Node 20 (docs/performance.md §2).
  const s: Partial<Mutable<EventSummary>> = {
    seq: e.seq,
    timeMs: e.timeMs,
    type: e.type,
    process: e.process,
  };
  if (e.pid !== undefined) s.pid = e.pid;
  s.task = e.taskKey;
  s.kind = e.kind;
  s.action = e.action;
  if (e.coefficient) s.coefficient = e.coefficient;
  s.event = e.line.length > EVENT_TEXT_MAX ? `${e.line.slice(0, EVENT_TEXT_MAX)}…` : e.line;
  if (e.landlock !== undefined) s.landlock = e.landlock;
  return s as EventSummary;
}

const link = (ns: string, key: string) => `${ns}\u0000${key}`;

export class IncidentTracker {
  private readonly open = new Map<string, State>();
  private readonly byTask = new Map<string, string>();
  private readonly byTid = new Map<string, string>();
  /** The open rate-limited incident per namespace and severity. */
  private readonly storms = new Map<string, string>();
  private readonly limiter: RateLimiter;
  private readonly dirty = new Set<State>();
  /** Open incidents per namespace: events of a namespace with none can only open one. */
  private readonly perNamespace = new Map<string, number>();
  private records: AlertRecord[] = [];
  private seq = 1;
  readonly quietMs: number;
  readonly updateIntervalMs: number;
  private readonly maxOpen: number;

  constructor(private readonly opts: TrackerOptions) {
    this.quietMs = opts.quietMs ?? DEFAULT_QUIET_MS;
    this.updateIntervalMs = opts.updateIntervalMs ?? DEFAULT_UPDATE_INTERVAL_MS;
    this.maxOpen = opts.maxOpen ?? DEFAULT_MAX_OPEN;
    this.limiter = new RateLimiter(opts.rateLimit ?? DEFAULT_RATE_LIMIT);
  }

  /** Rebuilds open incidents and the next log sequence number from the store. */
  restore(stored: readonly StoredIncident[], nextSeq: number): void {
    this.seq = nextSeq;
    for (const s of stored) {
      if (s.incident.status !== 'open') continue;
      const st: State = {
        inc: structuredClone(s.incident),
        keys: new Set(s.keys),
        tids: new Set(s.tids),
        lastEmitMs: s.lastEmitMs,
        changed: s.changed,
        pendingOpen: s.pendingOpen ?? false,
      };
      this.open.set(st.inc.id, st);
      this.count(st.inc.namespace, 1);
      for (const k of st.keys) this.setLink(this.byTask, link(st.inc.namespace, k), st.inc.id);
      for (const t of st.tids) this.setLink(this.byTid, link(st.inc.namespace, t), st.inc.id);
      if (st.inc.rateLimited) this.storms.set(link(st.inc.namespace, st.inc.severity), st.inc.id);
    }
  }

  private count(ns: string, d: number): void {
    const n = (this.perNamespace.get(ns) ?? 0) + d;
    if (n > 0) this.perNamespace.set(ns, n);
    else this.perNamespace.delete(ns);
  }

  /** Whether `ns` has open incidents (else only an alert can matter: the pipeline's fast path). */
  hasOpen(ns: string): boolean {
    return this.perNamespace.has(ns);
  }

  get nextSeq(): number {
    return this.seq;
  }

  openIncidents(): readonly Readonly<Incident>[] {
    return [...this.open.values()].map((s) => s.inc);
  }

  get(id: string): Readonly<Incident> | undefined {
    return this.open.get(id)?.inc;
  }

  /** The open incident a task of `ns` belongs to. */
  incidentOfTask(ns: string, key: string): string | undefined {
    return this.byTask.get(link(ns, key));
  }

  /** Records one processed event; returns the incident it attached to. */
  observe(e: IncidentEvent): string | undefined {
    const ns = e.namespace;
    let id =
      this.byTask.get(link(ns, e.taskKey)) ??
      (e.parentKey ? this.byTask.get(link(ns, e.parentKey)) : undefined);
    if (id === undefined && e.pid === undefined)
      id = this.byTid.get(link(ns, e.taskId)) ?? this.byTid.get(link(ns, e.pTaskId));
    const sev = eventSeverity(e);
    let st = id !== undefined ? this.open.get(id) : undefined;
    if (!st) {
      if (!sev) return undefined;
      st = this.openFor(e, sev);
    }
    this.attach(st, e, sev);
    return st.inc.id;
  }

  private openFor(e: IncidentEvent, sev: Severity): State {
    const bucket = link(e.namespace, sev);
    if (this.open.size < this.maxOpen && this.limiter.take(bucket, e.timeMs))
      return this.create(e, sev, false);
    const stormId = this.storms.get(bucket);
    const storm = (stormId && this.open.get(stormId)) || this.create(e, sev, true);
    this.storms.set(bucket, storm.inc.id);
    storm.inc.counts.suppressed++;
    return storm;
  }

  private create(e: IncidentEvent, sev: Severity, rateLimited: boolean): State {
    const trigger = summarize(e);
    const inc: Incident = {
      id: this.opts.newId(),
      namespace: e.namespace,
      host: e.host,
      exporter: e.exporter,
      status: 'open',
      severity: sev,
      mode: e.mode,
      title: rateLimited
        ? `rate limited: further ${sev}-severity incidents in namespace ${e.namespace}`
        : `${describe(e)} ${e.type} by ${e.process} (${e.taskKey}) in namespace ${e.namespace}${e.landlock !== undefined ? ` (denied by Landlock: ${e.landlock})` : ''}`,
      rateLimited,
      openedMs: e.timeMs,
      lastSeenMs: e.timeMs,
      root: Object.assign({ task: e.taskKey }, e.pid !== undefined ? { pid: e.pid } : {}, {
        process: e.process,
      }),
      trigger,
      counts: {
        events: 0,
        alerts: 0,
        offContour: 0,
        wouldBe: 0,
        untrusted: 0,
        denied: 0,
        ima: 0,
        suppressed: 0,
      },
      types: {},
      tasks: [],
      taskCount: 0,
      samples: [],
      denials: [],
      ima: [],
      version: 0,
    };
    const st: State = {
      inc,
      keys: new Set(),
      tids: new Set(),
      lastEmitMs: e.timeMs,
      changed: true,
      pendingOpen: true,
    };
    this.open.set(inc.id, st);
    this.count(inc.namespace, 1);
    return st;
  }

  private attach(st: State, e: IncidentEvent, sev: Severity | undefined): void {
    const inc = st.inc;
    const c = inc.counts;
    c.events++;
    const type =
      e.type in inc.types || Object.keys(inc.types).length < TYPES_MAX ? e.type : '_other';
    inc.types[type] = (inc.types[type] ?? 0) + 1;
    inc.lastSeenMs = Math.max(inc.lastSeenMs, e.timeMs);
    if (sev) {
      c.alerts++;
      inc.severity = maxSeverity(inc.severity, sev);
      if (inc.samples.length < SAMPLES_MAX) inc.samples.push(summarize(e));
    }
    if (e.kind === 'off-contour') c.offContour++;
    else if (e.kind === 'would-be-off-contour') c.wouldBe++;
    else if (e.kind === 'untrusted-task') c.untrusted++;
    // Denied by the engine (enforce) or by the kernel (a Landlock ruleset).
    if (e.action === 'deny' || e.landlock !== undefined) {
      c.denied++;
      if (inc.denials.length < SAMPLES_MAX) inc.denials.push(summarize(e));
    }
    if (e.ima.length > 0) {
      c.ima++;
      for (const r of e.ima) {
        const filename = r['filename'] ?? '';
        const cause = r['cause'] ?? '';
        if (inc.ima.some((x) => x.filename === filename && x.cause === cause)) continue;
        if (inc.ima.length >= SAMPLES_MAX) break;
        inc.ima.push({
          seq: e.seq,
          filename,
          cause,
          status: r['status'] ?? '',
          enforced: r['enforced'] === 'true',
        });
      }
    }
    if (!st.keys.has(e.taskKey) && st.keys.size < KEYS_KEPT) {
      st.keys.add(e.taskKey);
      inc.taskCount++;
      if (inc.tasks.length < TASKS_LISTED) inc.tasks.push(e.taskKey);
    }
    this.setLink(this.byTask, link(e.namespace, e.taskKey), inc.id);
    if (e.pid === undefined && st.tids.size < KEYS_KEPT) {
      st.tids.add(e.taskId);
      this.setLink(this.byTid, link(e.namespace, e.taskId), inc.id);
    }
    st.changed = true;
    this.dirty.add(st);
  }

  private setLink(map: Map<string, string>, key: string, id: string): void {
    if (map.get(key) === id) return;
    map.delete(key);
    map.set(key, id);
    if (map.size > MAX_LINKS) map.delete(map.keys().next().value as string);
  }

  private emit(st: State, activity: Activity, nowMs: number): void {
    st.inc.version++;
    this.records.push({
      seq: this.seq++,
      timeMs: nowMs,
      activity,
      incident: structuredClone(st.inc),
    });
    st.lastEmitMs = nowMs;
    st.changed = false;
    st.pendingOpen = false;
    this.dirty.add(st);
  }

  private close(st: State, reason: CloseReason, nowMs: number, by?: string): void {
    if (st.pendingOpen) this.emit(st, 'open', nowMs);
    const inc = st.inc;
    inc.status = 'closed';
    inc.closedMs = nowMs;
    inc.closeReason = reason;
    if (by !== undefined) inc.releasedBy = by;
    this.emit(st, 'close', nowMs);
    const ns = inc.namespace;
    for (const k of st.keys)
      if (this.byTask.get(link(ns, k)) === inc.id) this.byTask.delete(link(ns, k));
    for (const t of st.tids)
      if (this.byTid.get(link(ns, t)) === inc.id) this.byTid.delete(link(ns, t));
    const bucket = link(ns, inc.severity);
    if (this.storms.get(bucket) === inc.id) this.storms.delete(bucket);
    for (const [b, id] of this.storms) if (id === inc.id) this.storms.delete(b);
    this.open.delete(inc.id);
    this.count(ns, -1);
  }

  /**
   * Closes quiet incidents and those whose tasks are gone (when `gone` can tell), and emits the
   * changes of open ones at most every update interval.
   */
  tick(
    nowMs: number,
    gone?: (inc: Readonly<Incident>, keys: ReadonlySet<string>) => boolean
  ): void {
    for (const st of [...this.open.values()]) {
      if (nowMs - st.inc.lastSeenMs >= this.quietMs) this.close(st, 'quiet', nowMs);
      else if (!st.pendingOpen && gone?.(st.inc, st.keys)) this.close(st, 'tasks-gone', nowMs);
      else if (st.changed && !st.pendingOpen && nowMs - st.lastEmitMs >= this.updateIntervalMs)
        this.emit(st, 'update', nowMs);
    }
  }

  /** Closes the incidents of released tasks; returns their ids. */
  release(ns: string, keys: readonly string[], by: string, nowMs: number): string[] {
    const ids = new Set<string>();
    for (const k of keys) {
      const id = this.byTask.get(link(ns, k));
      if (id !== undefined) ids.add(id);
    }
    for (const id of ids) {
      const st = this.open.get(id);
      if (st) this.close(st, 'released', nowMs, by);
    }
    return [...ids];
  }

  closeNamespace(ns: string, nowMs: number): void {
    for (const st of [...this.open.values()])
      if (st.inc.namespace === ns) this.close(st, 'namespace-deleted', nowMs);
  }

  /** Opens what is pending (after the batch that opened it is complete) and hands the changes over. */
  drain(nowMs: number): Drained {
    for (const st of this.open.values()) if (st.pendingOpen) this.emit(st, 'open', nowMs);
    const incidents = [...this.dirty].map((st): StoredIncident => ({
      incident: structuredClone(st.inc),
      keys: [...st.keys],
      tids: [...st.tids],
      lastEmitMs: st.lastEmitMs,
      changed: st.changed,
    }));
    this.dirty.clear();
    const records = this.records;
    this.records = [];
    return { incidents, records };
  }
}
