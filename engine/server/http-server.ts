/**
 * The engine's HTTP listener (`--http ADDR`, off by default): Prometheus metrics, health and
 * version, and whatever other parts register (the web console mounts its pages and event streams
 * here). Same authentication as gRPC: a bearer token or a TLS client certificate's common name,
 * the same TLS files, the same roles; a route names the role it needs (`public` for health).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { EngineError, errorMessage } from '../../common/errors.js';
import type { Log } from '../../common/log.js';
import { type AuthConfig, authenticate, authorize, type Identity, type Role } from './auth.js';
import { serverCredentialsFiles, type TlsFiles } from './grpc-server.js';

export interface HttpContext {
  readonly url: URL;
  /** The caller; absent on public routes. */
  readonly identity?: Identity;
}

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** An exact path (`/metrics`), or a prefix ending in `/*` (`/console/*`). */
  readonly path: string;
  /** The role the caller needs; `public` needs none. */
  readonly role: Role | 'public';
  /** May stream (server-sent events): the response is the handler's until it ends it. */
  readonly handler: (req: IncomingMessage, res: ServerResponse, ctx: HttpContext) => unknown;
}

/** Routes by method and path; the web console adds its own. */
export class HttpRoutes {
  private readonly routes: HttpRoute[] = [];

  add(route: HttpRoute): void {
    if (this.routes.some((r) => r.method === route.method && r.path === route.path))
      throw new RangeError(`HTTP route ${route.method} ${route.path} is already registered`);
    this.routes.push(route);
  }

  /** The exact route, else the longest matching prefix route; `allowed` lists other methods. */
  match(method: string, path: string): { route?: HttpRoute; allowed: string[] } {
    const fits = (r: HttpRoute) =>
      r.path.endsWith('/*')
        ? path.startsWith(r.path.slice(0, -1)) || path === r.path.slice(0, -2)
        : r.path === path;
    const candidates = this.routes.filter(fits).sort((a, b) => b.path.length - a.path.length);
    const exact = candidates.find(
      (r) => r.method === method || (method === 'HEAD' && r.method === 'GET')
    );
    return { route: exact, allowed: [...new Set(candidates.map((r) => r.method))] };
  }
}

function credentials(req: IncomingMessage): { token?: string; certCommonName?: string } {
  const h = req.headers.authorization;
  let token: string | undefined;
  if (h !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m)
      throw new EngineError('TSEM_UNAUTHENTICATED', 'authorization: expected "Bearer <token>"');
    token = m[1];
  }
  const sock = req.socket as Partial<TLSSocket>;
  const cn = sock.authorized ? sock.getPeerCertificate?.().subject?.CN : undefined;
  return { token, certCommonName: typeof cn === 'string' ? cn : undefined };
}

function send(
  res: ServerResponse,
  code: number,
  text: string,
  headers: http.OutgoingHttpHeaders = {}
): void {
  if (res.headersSent) return void res.end();
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(`${text}\n`);
}

export interface RunningHttp {
  readonly address: string;
  close(): Promise<void>;
}

export async function startHttpServer(
  routes: HttpRoutes,
  listen: string,
  tls: TlsFiles | undefined,
  auth: AuthConfig,
  log: Log
): Promise<RunningHttp> {
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    const { route, allowed } = routes.match(req.method ?? 'GET', url.pathname);
    if (!route) {
      if (allowed.length > 0)
        return send(res, 405, 'method not allowed', { allow: allowed.join(', ') });
      return send(res, 404, 'not found');
    }
    let identity: Identity | undefined;
    if (route.role !== 'public') {
      try {
        identity = authenticate(auth, credentials(req));
        authorize(identity, route.role);
      } catch (err) {
        const unauth = err instanceof EngineError && err.code === 'TSEM_UNAUTHENTICATED';
        return send(
          res,
          unauth ? 401 : 403,
          errorMessage(err),
          unauth ? { 'www-authenticate': 'Bearer' } : {}
        );
      }
    }
    Promise.resolve()
      .then(() => route.handler(req, res, { url, identity }))
      .catch((err: unknown) => {
        log.error(`http: ${req.method} ${url.pathname} failed: ${errorMessage(err)}`);
        send(res, 500, 'internal error');
      });
  };
  const server: Server = tls
    ? https.createServer(
        {
          ...serverCredentialsFiles(tls),
          requestCert: tls.clientCa !== undefined,
          rejectUnauthorized: tls.clientCa !== undefined,
        },
        handle
      )
    : http.createServer(handle);
  const { host, port } = splitListen(listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new EngineError('TSEM_UNAVAILABLE', `cannot listen on ${listen} (HTTP): ${err.message}`)
      )
    );
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const boundPort = typeof bound === 'object' && bound ? bound.port : port;
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // long-lived streams (server-sent events) end here
      }),
  };
}

export function splitListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  if (!m) throw new EngineError('TSEM_INVALID_ARGUMENT', `expected HOST:PORT, got '${listen}'`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}
