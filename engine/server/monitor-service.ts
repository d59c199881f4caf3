/**
 * Monitor: a consumer subscribes with filters and receives events and alerts. The request is
 * validated before the stream starts (bad filters → INVALID_ARGUMENT); a consumer limited to some
 * namespaces only ever sees those.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { MonitorHandlers } from '../../proto/gen/tsem/v1/Monitor.js';
import type { MonitorMessage } from '../../proto/gen/tsem/v1/MonitorMessage.js';
import type { SubscribeRequest__Output } from '../../proto/gen/tsem/v1/SubscribeRequest.js';
import { type AuthConfig, authorize, type Identity } from './auth.js';
import { callerIdentity } from './caller.js';
import { buildFilter, type FilterSpec } from './filters.js';
import { MAX_GLOB_CHARS } from './glob.js';
import type { Hub } from './hub.js';
import {
  DEFAULT_LIMITS,
  DEFAULT_SUBSCRIBER_QUEUE,
  type Limits,
  MAX_SUBSCRIBER_QUEUE,
} from '../../proto/limits.js';
import { EngineError } from '../../common/errors.js';
import { invalid, toStatus } from './to-status.js';
import { noticeToWire, verdictKindFromWire } from './wire.js';

/** Process patterns one subscription may give (each matched per event it is offered). */
export const MAX_PROCESS_PATTERNS = 16;

type Call = ServerWritableStream<SubscribeRequest__Output, MonitorMessage>;

function filterSpec(req: SubscribeRequest__Output, id: Identity): FilterSpec {
  for (const t of req.task_ids)
    if (!/^[0-9a-fA-F]+$/.test(t)) throw invalid(`task_ids: '${t}' is not hex`);
  if (req.process_patterns.length > MAX_PROCESS_PATTERNS)
    throw invalid(
      `process_patterns: at most ${MAX_PROCESS_PATTERNS} patterns, got ${req.process_patterns.length}`
    );
  for (const p of req.process_patterns)
    if (p.length === 0 || p.length > MAX_GLOB_CHARS)
      throw invalid(`process_patterns: expected 1-${MAX_GLOB_CHARS} characters, got ${p.length}`);
  if (req.queue_size > MAX_SUBSCRIBER_QUEUE)
    throw invalid(`queue_size: at most ${MAX_SUBSCRIBER_QUEUE}, got ${req.queue_size}`);
  let namespaces = req.namespaces;
  if (id.namespaces !== undefined) {
    for (const n of namespaces) authorize(id, 'viewer', n);
    if (namespaces.length === 0) namespaces = [...id.namespaces];
  }
  return {
    namespaces,
    eventTypes: req.event_types,
    verdicts: req.verdicts.map((v) => verdictKindFromWire(String(v))),
    offContourOnly: req.off_contour_only,
    processPatterns: req.process_patterns,
    taskIds: req.task_ids,
  };
}

/** Waits for the stream to drain, or to close (so a vanished consumer frees its subscriber). */
function drainedOrClosed(call: Call): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('close', done);
      resolve();
    };
    call.once('drain', done);
    call.once('close', done);
  });
}

/** Open subscriptions and their queue sizes per identity, against the identity limits (the web
 * console's live views take theirs from the same quota). */
export class SubscriberQuota {
  private readonly used = new Map<string, { subs: number; queued: number }>();
  constructor(
    private readonly limits: Pick<Limits, 'maxSubscribersPerIdentity' | 'maxQueuedPerIdentity'>
  ) {}

  /** Takes a slot (throws RESOURCE_EXHAUSTED when over); returns its release, safe to call twice. */
  take(id: string, queue: number): () => void {
    const u = this.used.get(id) ?? { subs: 0, queued: 0 };
    if (u.subs >= this.limits.maxSubscribersPerIdentity)
      throw new EngineError(
        'TSEM_RESOURCE_EXHAUSTED',
        `resource exhausted: identity '${id}' has ${u.subs} subscriptions open, its limit`
      );
    if (u.queued + queue > this.limits.maxQueuedPerIdentity)
      throw new EngineError(
        'TSEM_RESOURCE_EXHAUSTED',
        `resource exhausted: identity '${id}' has queues of ${u.queued} events open; ${queue} more exceeds its limit of ${this.limits.maxQueuedPerIdentity} (ask for a smaller queue_size)`
      );
    u.subs++;
    u.queued += queue;
    this.used.set(id, u);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      u.subs--;
      u.queued -= queue;
      if (u.subs === 0) this.used.delete(id);
    };
  }
}

export function createMonitorService(
  hub: Hub,
  auth: AuthConfig,
  limits: Pick<Limits, 'maxSubscribersPerIdentity' | 'maxQueuedPerIdentity'> = DEFAULT_LIMITS,
  quota = new SubscriberQuota(limits)
): MonitorHandlers {
  return {
    Subscribe(call: Call) {
      // grpc-js ignores a handler's promise: a failure after the stream began ends the stream.
      serveSubscription(hub, auth, quota, call).catch((err: unknown) =>
        call.destroy(err instanceof Error ? err : new Error(String(err)))
      );
    },
  };
}

function resumePoints(req: SubscribeRequest__Output): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of req.resume) {
    const after = Number(r.after_seq);
    if (r.namespace === '' || !Number.isSafeInteger(after))
      throw invalid('resume: expected a namespace and an after_seq per point');
    out.set(r.namespace, after);
  }
  return out;
}

async function serveSubscription(
  hub: Hub,
  auth: AuthConfig,
  quota: SubscriberQuota,
  call: Call
): Promise<void> {
  let spec: FilterSpec;
  let id: Identity;
  let resume: Map<string, number>;
  let release: () => void;
  const queue = call.request.queue_size || DEFAULT_SUBSCRIBER_QUEUE;
  try {
    id = callerIdentity(auth, call);
    authorize(id, 'viewer');
    spec = filterSpec(call.request, id);
    resume = resumePoints(call.request);
    // A limited consumer with no namespace left sees nothing: refuse instead of idling.
    if (id.namespaces !== undefined && spec.namespaces?.length === 0)
      throw invalid('no namespace to watch');
    release = quota.take(id.name, queue);
  } catch (err) {
    call.emit('error', toStatus(err));
    return;
  }
  const limited = id.namespaces;
  const sub = hub.subscribe(buildFilter(spec), {
    maxQueue: queue,
    resume,
    maySee: (ns) => limited === undefined || limited.has(ns),
    // Source drops are host-wide figures: only for consumers that see every namespace.
    sourceDrops: limited === undefined,
  });
  const stop = () => {
    hub.unsubscribe(sub);
    release();
  };
  call.on('cancelled', stop);
  call.on('error', stop);
  call.on('close', stop);
  for (;;) {
    const d = await sub.next();
    if (!d) break;
    const msg: MonitorMessage =
      'dropped' in d
        ? {
            dropped: {
              count: String(d.dropped.count),
              cause: d.dropped.cause,
              host: d.dropped.host ?? '',
              exporter: d.dropped.exporter ?? '',
            },
          }
        : 'gap' in d
          ? {
              gap: {
                namespace: d.gap.namespace,
                first_seq: String(d.gap.first),
                last_seq: String(d.gap.last),
              },
            }
          : { event: noticeToWire(d.notice) };
    if (!call.write(msg)) await drainedOrClosed(call);
  }
  if (!call.cancelled) call.end();
}
