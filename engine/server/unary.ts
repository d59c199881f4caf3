/** One unary Control call: authenticate, check the role and namespace, run, map errors. */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { EngineError } from '../../common/errors.js';
import type { Log } from '../../common/log.js';
import { type AuthConfig, authorize, type Identity, type Role } from './auth.js';
import { callerIdentity } from './caller.js';
import { toStatus } from './to-status.js';
import { DEFAULT_PAGE_ENTRIES, MAX_PAGE_ENTRIES } from '../../proto/limits.js';

export type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, cb: sendUnaryData<Res>) => void;

/** Authenticates, checks the role (and namespace when the request names one), runs, maps errors. */
export function unary<Req, Res>(
  auth: AuthConfig,
  role: Role,
  fn: (req: Req, id: Identity) => Promise<Res> | Res,
  /** Admin actions: logged with the caller once they succeeded. */
  audit?: { log?: Log; action: string; fields?: (req: Req) => Record<string, unknown> }
): Handler<Req, Res> {
  return (call, cb) => {
    let caller: Identity | undefined;
    Promise.resolve()
      .then(() => {
        const id = callerIdentity(auth, call);
        caller = id;
        const name = (call.request as { name?: string }).name;
        authorize(id, role, name || undefined);
        return fn(call.request, id);
      })
      .then(
        (res) => {
          audit?.log?.warn(`admin action: ${audit.action}`, {
            action: audit.action,
            caller: caller?.name,
            namespace: (call.request as { name?: string }).name,
            ...audit.fields?.(call.request),
          });
          cb(null, res);
        },
        (err: unknown) => {
          if (audit && caller)
            audit.log?.info(`admin action refused: ${audit.action}`, {
              action: audit.action,
              caller: caller.name,
              namespace: (call.request as { name?: string }).name,
              error: toStatus(err).details,
            });
          cb(toStatus(err));
        }
      );
  };
}

/** Host-wide data (the host IMA log and policy) shows every namespace: no namespace limit allowed. */
export function requireUnlimited(id: Identity, what: string): void {
  if (id.namespaces !== undefined)
    throw new EngineError(
      'TSEM_PERMISSION',
      `identity '${id.name}' is limited to some namespaces and may not read ${what}`
    );
}

/** A page's bounds from a request's offset and limit (default and maximum from proto/limits). */
export function pageBounds(
  offset: string | number,
  limit: number
): { offset: number; limit: number } {
  return {
    offset: Number(offset),
    limit: Math.min(limit || DEFAULT_PAGE_ENTRIES, MAX_PAGE_ENTRIES),
  };
}
