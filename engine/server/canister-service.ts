/**
 * Control.RunCanister and ListCanisters (tsem.proto): the launcher's call that keeps a canister's
 * cgroup routed to its namespace for as long as the call is open. `start` must come first, then
 * `finish`; a call that closes in between (the launcher was killed, its connection dropped)
 * finishes the canister without saving its label's model.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { errorMessage } from '../../common/errors.js';
import type { Log } from '../../common/log.js';
import type { CanisterStart__Output } from '../../proto/gen/tsem/v1/CanisterStart.js';
import type { ControlHandlers } from '../../proto/gen/tsem/v1/Control.js';
import type { RunCanisterRequest__Output } from '../../proto/gen/tsem/v1/RunCanisterRequest.js';
import type { RunCanisterResponse } from '../../proto/gen/tsem/v1/RunCanisterResponse.js';
import type { Canisters, CanisterStartRequest, RunningCanister } from '../canister/canisters.js';
import type { CanisterRoutes } from '../canister/routes.js';
import { type AuthConfig, authorize, mayAccess } from './auth.js';
import { callerIdentity } from './caller.js';
import { labelInfo } from './label-service.js';
import { invalid, toStatus } from './to-status.js';
import { modeFromWire, namespaceInfo } from './wire.js';

type Call = ServerDuplexStream<RunCanisterRequest__Output, RunCanisterResponse>;

function startRequest(s: CanisterStart__Output): CanisterStartRequest {
  return {
    host: s.host,
    cgroupId: s.cgroup_id,
    cgroupPath: s.cgroup_path,
    namespace: s.namespace || undefined,
    label: s.label || undefined,
    mode: s.mode === 'MODE_UNSPECIFIED' || !s.mode ? undefined : modeFromWire(s.mode, 'start.mode'),
    model: s.model || undefined,
    digest: s.digest || undefined,
    command: s.command,
    modelSignature: s.model_signature || undefined,
  };
}

export function createCanisterHandlers(
  canisters: Canisters,
  routes: CanisterRoutes,
  auth: AuthConfig,
  log: Log,
  /** The server requires signed models (shown in NamespaceInfo). */
  signedModelsRequired = false
): Pick<ControlHandlers, 'RunCanister' | 'ListCanisters'> {
  return {
    RunCanister(call: Call) {
      let state: 'new' | 'starting' | 'running' | 'finishing' | 'done' = 'new';
      let running: RunningCanister | undefined;
      let closed = false;
      let caller = '';
      const fields = (c: RunningCanister) => ({
        caller,
        namespace: c.route.namespace,
        label: c.label || undefined,
        host: c.route.host,
        cgroup: c.route.cgroupPath || c.route.cgroupId,
      });
      const fail = (err: unknown) => {
        if (state === 'done') return;
        state = 'done';
        if (!closed) call.emit('error', toStatus(err));
      };
      // The launcher went away without `finish`: end the route, save nothing.
      const abandon = () => {
        if (state !== 'running' || !running) return;
        state = 'done';
        const c = running;
        log.warn('canister abandoned: the launcher left without finishing', fields(c));
        canisters
          .finish(c, { saveLabel: false })
          .catch((err: unknown) =>
            log.error(`canister cleanup failed: ${errorMessage(err)}`, fields(c))
          );
      };
      call.on('data', (req: RunCanisterRequest__Output) => {
        if (req.msg === 'start' && req.start && state === 'new') {
          state = 'starting';
          Promise.resolve()
            .then(() => {
              const start = startRequest(req.start!);
              const id = callerIdentity(auth, call);
              caller = id.name;
              authorize(id, 'admin', start.namespace ?? start.label);
              return canisters.start(start);
            })
            .then((c) => {
              running = c;
              state = 'running';
              log.warn('admin action: run canister', {
                action: 'run canister',
                ...fields(c),
                command: c.route.command,
                created: c.created,
              });
              const ns = canisters.namespaceOf(c);
              if (closed || !ns) {
                abandon();
                const err = invalid(`namespace ${c.route.namespace} was deleted while starting`);
                if (!closed) call.emit('error', toStatus(err));
                return;
              }
              call.write({
                started: {
                  namespace: namespaceInfo(ns, signedModelsRequired),
                  created: c.created,
                  model_source: c.modelSource,
                },
              });
            }, fail);
          return;
        }
        if (req.msg === 'launched' && req.launched && state !== 'new') {
          const { pid, start_time } = req.launched;
          // Only while running: the launcher sends it after `started`, and never after `finish`.
          if (state === 'running' && running && pid > 0 && /^\d{1,20}$/.test(start_time))
            routes.setCreator(running.route, { pid, start: start_time });
          return;
        }
        if (req.msg === 'finish' && req.finish && state === 'running' && running) {
          state = 'finishing';
          const c = running;
          canisters
            .finish(c, {
              saveLabel: req.finish.save_label,
              settleMs: req.finish.settle_ms || undefined,
            })
            .then((end) => {
              state = 'done';
              log.info('canister finished', {
                ...fields(c),
                events: end.events,
                exit: req.finish!.exit_status,
                labelStored: end.label?.points,
              });
              if (closed) return;
              call.write({
                finished: {
                  namespace: end.namespace
                    ? namespaceInfo(end.namespace, signedModelsRequired)
                    : undefined,
                  kept: end.namespace !== undefined,
                  label: end.label ? labelInfo(end.label) : undefined,
                  label_note: end.labelNote ?? '',
                  events: String(end.events),
                  removal_pending: end.removalPending ?? false,
                },
              });
              call.end();
            }, fail);
          return;
        }
        fail(
          invalid(
            `RunCanister: expected 'start' first, then 'launched' and 'finish' (got '${req.msg ?? 'nothing'}' while ${state})`
          )
        );
      });
      // Half-closed without `finish`: abandoned too. Gone (cancelled, reset): nothing more is sent.
      call.on('end', () => {
        if (state !== 'running') return;
        abandon();
        call.end();
      });
      const gone = () => {
        closed = true;
        abandon();
      };
      call.on('cancelled', gone);
      call.on('error', gone);
      call.on('close', gone);
    },
    ListCanisters(call, cb) {
      try {
        const id = callerIdentity(auth, call);
        authorize(id, 'viewer');
        cb(null, {
          canisters: routes
            .list()
            .filter((r) => mayAccess(id, r.namespace))
            .map((r) => ({
              host: r.host,
              cgroup_id: r.cgroupId,
              cgroup_path: r.cgroupPath,
              namespace: r.namespace,
              label: r.label,
              command: r.command,
              started_ms: String(r.startedMs),
              finished_ms: String(r.finishedMs),
              events: String(r.events),
            })),
        });
      } catch (err) {
        cb(toStatus(err));
      }
    },
  };
}
