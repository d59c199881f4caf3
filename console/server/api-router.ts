/**
 * The console's JSON API routes: a path pattern (`/namespaces/:ns/mode`), the role it needs and
 * whether it changes anything (a mutation: POST, admin, CSRF-checked by the caller of `dispatch`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorize, type Identity, type Role } from '../../engine/server/auth.js';
import { HttpError } from './http-io.js';
import type { Session } from './sessions.js';

export interface ApiContext {
  readonly identity: Identity;
  readonly session: Session;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The JSON body of a POST ({} for GET). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  /** Below /console/api; `:name` segments are parameters. */
  readonly path: string;
  readonly role: Role;
  /** Returns the JSON to send, or `undefined` when it answered (a stream) itself. */
  readonly handler: (ctx: ApiContext) => unknown;
}

export function matchRoute(
  routes: readonly ApiRoute[],
  method: string,
  path: string
): { route?: ApiRoute; params: Record<string, string>; allowed: string[] } {
  const parts = path.split('/').filter((p) => p !== '');
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.path.split('/').filter((p) => p !== '');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!;
      if (p.startsWith(':')) {
        try {
          params[p.slice(1)] = decodeURIComponent(parts[i]!);
        } catch {
          throw new HttpError(400, `path: '${parts[i]}' is not a valid URL component`);
        }
      } else ok = p === parts[i];
    }
    if (!ok) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET'))
      return { route, params, allowed };
    allowed.push(route.method);
  }
  return { params: {}, allowed };
}

/** Checks the caller's role, and its access to the namespace the path names. */
export function authorizeRoute(route: ApiRoute, ctx: Pick<ApiContext, 'identity' | 'params'>) {
  authorize(ctx.identity, route.role, ctx.params['ns']);
}

/** A query parameter as a bounded non-negative integer. */
export function intParam(q: URLSearchParams, name: string, dflt: number, max: number): number {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  if (!/^\d{1,9}$/.test(v)) throw new HttpError(400, `${name}: expected a number, got '${v}'`);
  const n = Number(v);
  if (n > max) throw new HttpError(400, `${name}: at most ${max}, got ${n}`);
  return n;
}

export function stringField(body: Readonly<Record<string, unknown>>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v === '')
    throw new HttpError(400, `${name}: expected a non-empty string`);
  return v;
}
