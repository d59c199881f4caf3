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
import { DEFAULT_SUBSCRIBER_QUEUE, MAX_SUBSCRIBER_QUEUE } from '../../proto/limits.js';
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

export function createMonitorService(hub: Hub, auth: AuthConfig): MonitorHandlers {
  return {
    Subscribe(call: Call) {
      // grpc-js ignores a handler's promise: a failure after the stream began ends the stream.
      serveSubscription(hub, auth, call).catch((err: unknown) =>
        call.destroy(err instanceof Error ? err : new Error(String(err)))
      );
    },
  };
}

async function serveSubscription(hub: Hub, auth: AuthConfig, call: Call): Promise<void> {
  let spec: FilterSpec;
  try {
    const id = callerIdentity(auth, call);
    authorize(id, 'viewer');
    spec = filterSpec(call.request, id);
    // A limited consumer with no namespace left sees nothing: refuse instead of idling.
    if (id.namespaces !== undefined && spec.namespaces?.length === 0)
      throw invalid('no namespace to watch');
  } catch (err) {
    call.emit('error', toStatus(err));
    return;
  }
  const sub = hub.subscribe(buildFilter(spec), call.request.queue_size || DEFAULT_SUBSCRIBER_QUEUE);
  const stop = () => hub.unsubscribe(sub);
  call.on('cancelled', stop);
  call.on('error', stop);
  call.on('close', stop);
  for (;;) {
    const d = await sub.next();
    if (!d) break;
    const msg: MonitorMessage =
      'dropped' in d
        ? { dropped: { count: String(d.dropped) } }
        : { event: noticeToWire(d.notice) };
    if (!call.write(msg)) await drainedOrClosed(call);
  }
  if (!call.cancelled) call.end();
}
