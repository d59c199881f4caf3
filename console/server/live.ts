/**
 * The console's live view, as server-sent events (they ride the session cookie; EventSource sends
 * no headers). Alerts come from the same hub as Monitor, through a subscriber with its own bounded
 * queue: a slow browser never slows ingest, its overflow is dropped and the count is sent in-band
 * (`dropped`). Incidents come from the persisted alert log, read from a cursor (resumed after a
 * reconnect from Last-Event-ID, at most a bounded distance back). Namespace figures go out at most
 * once per tick, and only when they changed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eventSeverity } from '../../engine/incident/tracker.js';
import { type Severity, severityRank } from '../../engine/incident/incident.js';
import type { NamespaceRegistry } from '../../engine/ns/registry.js';
import { authorize, type Identity, mayAccess } from '../../engine/server/auth.js';
import { buildFilter } from '../../engine/server/filters.js';
import type { Subscriber } from '../../engine/server/hub.js';
import type { Notice } from '../../engine/server/notice.js';
import { DEFAULT_SUBSCRIBER_QUEUE } from '../../proto/limits.js';
import { incidentSummary, severityParam } from './api-incidents.js';
import { namespaceSummary } from './api-namespaces.js';
import type { ConsoleDeps } from './console-deps.js';
import { HttpError, SECURITY_HEADERS } from './http-io.js';
import type { Session, Sessions } from './sessions.js';

/** Alert-log records a live view catches up at most (after a reconnect or while slow). */
const INCIDENT_BACKLOG = 1000;
const INCIDENT_PAGE = 100;
const HEARTBEAT_MS = 15_000;
const EVENT_TEXT_MAX = 1024;
/** Live views at once, per session and in all. */
export const MAX_LIVE_PER_SESSION = 4;
export const MAX_LIVE = 64;

interface LiveFilter {
  readonly namespaces: readonly string[] | undefined;
  readonly severity: Severity | undefined;
  readonly process: string | undefined;
}

function liveFilter(id: Identity, q: URLSearchParams): LiveFilter {
  const ns = q.get('namespace') || undefined;
  if (ns !== undefined) authorize(id, 'viewer', ns);
  const process = q.get('process') || undefined;
  if (process !== undefined && process.length > 256)
    throw new HttpError(400, 'process: expected a pattern of at most 256 characters');
  return {
    namespaces: ns !== undefined ? [ns] : id.namespaces && [...id.namespaces],
    severity: severityParam(q),
    process,
  };
}

function noticeSeverity(n: Notice, registry: NamespaceRegistry): Severity | undefined {
  if (!n.verdict) return undefined;
  const ima = (n.records ?? []).filter((r) => r.stage === 'ima' && r.alert).map((r) => r.fields);
  return eventSeverity({
    action: n.verdict.action,
    kind: n.verdict.kind,
    ima,
    mode: registry.get(n.namespace)?.mode ?? 'learn',
    landlock: n.landlock,
  });
}

function alertMessage(n: Notice, severity: Severity) {
  const v = n.verdict!;
  const line = n.eventJson();
  return {
    namespace: n.namespace,
    timeMs: n.timeMs,
    seq: v.seq,
    type: n.type,
    process: n.process,
    pid: n.pid,
    kind: v.kind,
    action: v.action,
    severity,
    coefficient: v.coefficient?.toString('hex') ?? '',
    taskId: v.taskId.toString('hex'),
    host: n.host,
    exporter: n.exporter,
    ima: (n.records ?? []).filter((r) => r.stage === 'ima' && r.alert).map((r) => r.fields),
    event: line.length > EVENT_TEXT_MAX ? `${line.slice(0, EVENT_TEXT_MAX)}…` : line,
    ...(n.landlock !== undefined ? { landlock: n.landlock } : {}),
  };
}

class LiveStream {
  closed = false;
  private lastFigures = '';
  private cursor: number;
  private reading = false;
  private again = false;

  constructor(
    readonly session: Session,
    private readonly identity: Identity,
    private readonly filter: LiveFilter,
    private readonly res: ServerResponse,
    private readonly sub: Subscriber,
    private readonly d: ConsoleDeps,
    resumeFrom: number | undefined
  ) {
    const head = d.alerts.lastSeq;
    this.cursor =
      resumeFrom !== undefined && resumeFrom <= head
        ? Math.max(resumeFrom, head - INCIDENT_BACKLOG) + 1
        : head + 1;
  }

  /** Writes one event once the connection has room (the queues before it are bounded). */
  async send(event: string, data: unknown, id?: number): Promise<void> {
    if (this.closed) return;
    if (this.res.writableNeedDrain)
      await new Promise<void>((resolve) => {
        const done = () => {
          this.res.off('drain', done);
          this.res.off('close', done);
          resolve();
        };
        this.res.once('drain', done);
        this.res.once('close', done);
      });
    if (this.closed) return;
    this.res.write(
      `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
    );
  }

  comment(text: string): void {
    if (!this.closed && !this.res.writableNeedDrain) this.res.write(`: ${text}\n\n`);
  }

  async pumpAlerts(): Promise<void> {
    for (;;) {
      const d = await this.sub.next();
      if (!d || this.closed) return;
      if ('dropped' in d)
        await this.send('dropped', {
          alerts: d.dropped.count,
          totalAlerts: this.sub.totalDropped,
        });
      else if ('notice' in d) {
        const sev = noticeSeverity(d.notice, this.d.registry)!;
        await this.send('alert', alertMessage(d.notice, sev));
      }
    }
  }

  /** New alert-log records: read from the cursor, at most INCIDENT_BACKLOG behind the head. */
  async pumpIncidents(): Promise<void> {
    if (this.reading) return void (this.again = true);
    this.reading = true;
    try {
      do {
        this.again = false;
        const head = this.d.alerts.lastSeq;
        if (head - this.cursor + 1 > INCIDENT_BACKLOG) {
          const skipped = head - INCIDENT_BACKLOG + 1 - this.cursor;
          this.cursor += skipped;
          await this.send('dropped', { incidents: skipped });
        }
        while (!this.closed && this.cursor <= head) {
          const recs = await this.d.alerts.records(this.cursor, INCIDENT_PAGE);
          if (recs.length === 0) break;
          for (const r of recs) {
            this.cursor = r.seq + 1;
            if (!this.wants(r.incident.namespace, r.incident.severity)) continue;
            await this.send(
              'incident',
              { seq: r.seq, activity: r.activity, incident: incidentSummary(r.incident) },
              r.seq
            );
          }
        }
      } while (this.again && !this.closed);
    } finally {
      this.reading = false;
    }
  }

  private wants(ns: string, severity: Severity): boolean {
    const f = this.filter;
    if (!mayAccess(this.identity, ns)) return false;
    if (f.namespaces && !f.namespaces.includes(ns)) return false;
    return !f.severity || severityRank(severity) >= severityRank(f.severity);
  }

  figures(all: readonly ReturnType<typeof namespaceSummary>[]): void {
    // Every namespace the caller may see: the filters choose alerts and incidents only.
    const mine = all.filter((s) => mayAccess(this.identity, s.name));
    const text = JSON.stringify(mine);
    if (text === this.lastFigures) return;
    this.lastFigures = text;
    void this.send('namespaces', mine);
  }
}

export class LiveViews {
  /** Each open view and what ends it. */
  private readonly streams = new Map<LiveStream, () => void>();
  private readonly timer: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly stopListening: () => void;

  constructor(
    private readonly d: ConsoleDeps,
    private readonly sessions: Sessions
  ) {
    this.timer = setInterval(() => this.tick(), d.tickMs ?? 1000);
    this.timer.unref();
    this.heartbeat = setInterval(() => this.beat(), d.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
    this.stopListening = d.alerts.onRecords(() => {
      for (const s of this.streams.keys()) this.pump(s);
    });
  }

  get size(): number {
    return this.streams.size;
  }

  /** Keeps connections (and their sessions) alive; ends the views of sessions that are over. */
  private beat(): void {
    for (const [s, end] of this.streams) {
      if (this.sessions.touch(s.session)) s.comment('keep-alive');
      else end();
    }
  }

  /** Ends a session's live views at once (it signed out). */
  endSession(session: Session): void {
    for (const [s, end] of this.streams) if (s.session === session) end();
  }

  private pump(s: LiveStream): void {
    s.pumpIncidents().catch((err: unknown) =>
      this.d.log.warn(`console: live incidents: ${String(err)}`)
    );
  }

  private tick(): void {
    if (this.streams.size === 0) return;
    const all = this.d.registry.list().map(namespaceSummary);
    for (const s of this.streams.keys()) s.figures(all);
  }

  /** Serves one live view until the browser goes away (or the engine stops). */
  open(req: IncomingMessage, res: ServerResponse, session: Session, q: URLSearchParams): void {
    const identity = session.identity;
    const filter = liveFilter(identity, q);
    let mine = 0;
    for (const s of this.streams.keys()) if (s.session === session) mine++;
    if (mine >= MAX_LIVE_PER_SESSION || this.streams.size >= MAX_LIVE)
      throw new HttpError(429, 'too many live views open: close a console tab');
    const processFilter = buildFilter({
      namespaces: filter.namespaces,
      processPatterns: filter.process !== undefined ? [filter.process] : undefined,
    });
    const min = filter.severity ? severityRank(filter.severity) : 0;
    const queue = this.d.liveQueue ?? DEFAULT_SUBSCRIBER_QUEUE;
    // The identity's subscription limits, counted with its Monitor streams.
    const release = this.d.subscriberQuota?.take(identity.name, queue) ?? (() => undefined);
    const sub = this.d.hub.subscribe(
      (n) => {
        if (!n.alert && n.verdict?.kind !== 'untrusted-task') return false;
        if (!mayAccess(identity, n.namespace) || !processFilter(n)) return false;
        const sev = noticeSeverity(n, this.d.registry);
        return sev !== undefined && severityRank(sev) >= min;
      },
      // Alerts only: the sources' drop counts are for Monitor consumers and metrics.
      { maxQueue: queue, sourceDrops: false }
    );
    const lastId = req.headers['last-event-id'];
    const resume =
      typeof lastId === 'string' && /^\d{1,15}$/.test(lastId) ? Number(lastId) : undefined;
    const stream = new LiveStream(session, identity, filter, res, sub, this.d, resume);
    const end = () => {
      if (stream.closed) return;
      stream.closed = true;
      this.streams.delete(stream);
      this.d.hub.unsubscribe(sub);
      release();
      res.end();
    };
    this.streams.set(stream, end);
    req.on('close', end);
    res.on('close', end);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    void stream
      .send('hello', {
        identity: identity.name,
        queue: this.d.liveQueue ?? DEFAULT_SUBSCRIBER_QUEUE,
        lastSeq: this.d.alerts.lastSeq,
      })
      .then(() => {
        stream.figures(this.d.registry.list().map(namespaceSummary));
        this.pump(stream);
      });
    stream.pumpAlerts().catch((err: unknown) => {
      this.d.log.warn(`console: live alerts: ${String(err)}`);
      res.destroy();
    });
  }

  close(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.stopListening();
    for (const end of [...this.streams.values()]) end();
  }
}
