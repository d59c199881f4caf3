/**
 * The web console on the engine's HTTP listener: the page and its assets under /console/, a JSON
 * API under /console/api/ and a live view of server-sent events, with the gRPC API's identities,
 * roles and namespace limits. A token is exchanged once for a session cookie; every mutation is
 * same-origin, carries the session's CSRF token and needs the admin role.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { errorMessage } from '../../common/errors.js';
import { authenticate, authorize, type Identity } from '../../engine/server/auth.js';
import type { HttpRoutes } from '../../engine/server/http-server.js';
import { authoringRoutes } from './api-authoring.js';
import { incidentRoutes } from './api-incidents.js';
import { imaRoutes } from './api-ima.js';
import { namespaceRoutes } from './api-namespaces.js';
import { type ApiRoute, authorizeRoute, matchRoute } from './api-router.js';
import type { ConsoleDeps } from './console-deps.js';
import {
  checkSameOrigin,
  HttpError,
  loopbackHost,
  parseCookies,
  readJsonBody,
  remoteAddress,
  SECURITY_HEADERS,
  sendError,
  sendJson,
  statusOf,
} from './http-io.js';
import { LiveViews } from './live.js';
import { CSRF_HEADER, LoginThrottle, SESSION_COOKIE, type Session, Sessions } from './sessions.js';
import { assetDirs, StaticAssets } from './static-assets.js';

export interface MountedConsole {
  /** The assets' version (the immutable path segment). */
  readonly assetVersion?: string;
  readonly sessions: Sessions;
  readonly live: LiveViews;
  close(): void;
}

const API = '/console/api';
const MAX_TOKEN = 4096;
/** CSP violation reports logged per minute at most. */
const CSP_REPORTS_PER_MINUTE = 20;

function certCommonName(req: IncomingMessage): string | undefined {
  const sock = req.socket as Partial<TLSSocket>;
  const cn = sock.authorized ? sock.getPeerCertificate?.().subject?.CN : undefined;
  return typeof cn === 'string' ? cn : undefined;
}

function whoami(s: Session, version: string) {
  const id = s.identity;
  return {
    signedIn: true,
    identity: id.name,
    roles: [...id.roles],
    admin: id.roles.has('admin'),
    namespaces: id.namespaces ? [...id.namespaces] : null,
    csrf: s.csrf,
    version,
  };
}

export function mountConsole(routes: HttpRoutes, d: ConsoleDeps): MountedConsole {
  const dirs = assetDirs(d.packageRoot);
  const assets = dirs ? new StaticAssets(dirs) : undefined;
  if (!assets)
    d.log.warn('console: the browser code is not built (npm run build): /console/ answers 503');
  const sessions = new Sessions(d.sessions);
  const throttle = new LoginThrottle();
  const live = new LiveViews(d, sessions);
  const api: ApiRoute[] = [
    ...namespaceRoutes(d),
    ...authoringRoutes(d),
    ...incidentRoutes(d),
    ...imaRoutes(d),
  ];
  let cspReports = { count: 0, sinceMs: 0 };

  const sessionOf = (req: IncomingMessage): { id?: string; session?: Session } => {
    const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    return { id, session: sessions.get(id) };
  };

  const login = async (req: IncomingMessage, res: ServerResponse) => {
    checkSameOrigin(req, d.secure);
    const addr = remoteAddress(req);
    if (throttle.blocked(addr))
      throw new HttpError(429, 'too many failed sign-ins: wait a minute', { 'retry-after': '60' });
    const body = await readJsonBody(req);
    const token = body['token'];
    if (token !== undefined && (typeof token !== 'string' || token.length > MAX_TOKEN))
      throw new HttpError(400, `token: expected a string of at most ${MAX_TOKEN} characters`);
    let identity: Identity;
    try {
      identity = authenticate(d.auth, {
        token: token === '' ? undefined : token,
        certCommonName: certCommonName(req),
      });
      // Anonymity is for local callers: not through a name that someone's DNS points here.
      if (identity === d.auth.anonymous && !loopbackHost(req))
        throw new HttpError(401, 'sign in with a token (anonymous access is for loopback only)');
      authorize(identity, 'viewer');
    } catch (err) {
      throttle.failed(addr);
      throw err;
    }
    const { id, session } = sessions.create(identity);
    d.log.info('console: signed in', { caller: identity.name, from: addr });
    sendJson(res, 200, whoami(session, d.version), {
      'set-cookie': Sessions.cookie(id, d.secure),
    });
  };

  const cspReport = async (req: IncomingMessage, res: ServerResponse) => {
    const now = Date.now();
    if (now - cspReports.sinceMs > 60_000) cspReports = { count: 0, sinceMs: now };
    let text = '';
    for await (const chunk of req) {
      text += String(chunk);
      if (text.length > 16_384) break;
    }
    if (++cspReports.count <= CSP_REPORTS_PER_MINUTE)
      d.log.warn('console: content security policy violation reported', {
        report: text.slice(0, 2048),
      });
    res.writeHead(204, SECURITY_HEADERS);
    res.end();
  };

  const dispatch = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname.slice(API.length) || '/';
    const method = req.method ?? 'GET';
    if (path === '/session' && method === 'POST') return login(req, res);
    if (path === '/csp-report' && method === 'POST') return cspReport(req, res);
    const { id, session } = sessionOf(req);
    // The page asks first whether it is signed in: not an error when it is not.
    if (!session && path === '/session' && method === 'GET')
      return sendJson(res, 200, { signedIn: false });
    if (!session) throw new HttpError(401, 'sign in first (no session, or it expired)');
    if (method === 'POST') {
      checkSameOrigin(req, d.secure);
      if (!Sessions.csrfMatches(session, req.headers[CSRF_HEADER]))
        throw new HttpError(403, `missing or wrong ${CSRF_HEADER} header`);
    }
    if (path === '/session' && method === 'GET')
      return sendJson(res, 200, whoami(session, d.version));
    if (path === '/session/logout' && method === 'POST') {
      sessions.delete(id);
      live.endSession(session);
      return sendJson(res, 200, {}, { 'set-cookie': Sessions.clearCookie(d.secure) });
    }
    if (path === '/live' && method === 'GET') {
      authorize(session.identity, 'viewer');
      return live.open(req, res, session, url.searchParams);
    }
    const { route, params, allowed } = matchRoute(api, method, path);
    if (!route)
      throw allowed.length > 0
        ? new HttpError(405, 'method not allowed', { allow: allowed.join(', ') })
        : new HttpError(404, `no such API: ${path.slice(0, 80)}`);
    const ctx = {
      identity: session.identity,
      session,
      params,
      query: url.searchParams,
      body: method === 'POST' ? await readJsonBody(req) : {},
      req,
      res,
    };
    authorizeRoute(route, ctx);
    const out = await route.handler(ctx);
    if (out !== undefined) sendJson(res, 200, out);
  };

  const apiHandler = (req: IncomingMessage, res: ServerResponse, ctx: { url: URL }) =>
    dispatch(req, res, ctx.url).catch((err: unknown) => {
      if (statusOf(err).status === 500)
        d.log.error(`console: ${req.method} ${ctx.url.pathname}: ${errorMessage(err)}`);
      sendError(res, err);
    });

  const redirect = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(302, { ...SECURITY_HEADERS, location: '/console/' });
    res.end();
  };
  routes.add({ method: 'GET', path: '/', role: 'public', handler: redirect });
  routes.add({ method: 'GET', path: '/console', role: 'public', handler: redirect });
  routes.add({ method: 'GET', path: `${API}/*`, role: 'public', handler: apiHandler });
  routes.add({ method: 'POST', path: `${API}/*`, role: 'public', handler: apiHandler });
  routes.add({
    method: 'GET',
    path: '/console/*',
    role: 'public',
    handler: (req, res, { url }) => {
      const rest = url.pathname.slice('/console/'.length);
      if (!assets) {
        res.writeHead(503, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
        return res.end('the console is not built: run npm run build\n');
      }
      if (rest === '') return assets.servePage(req, res);
      if (rest.startsWith('assets/')) return assets.serveAsset(req, res, rest.slice(7));
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    },
  });
  return {
    assetVersion: assets?.version,
    sessions,
    live,
    close: () => live.close(),
  };
}
