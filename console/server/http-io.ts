/**
 * HTTP plumbing of the console: the security headers every response carries, JSON in and out
 * (bounded bodies), cookies, and the same-origin check that mutations must pass.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { EngineError } from '../../common/errors.js';

/**
 * No inline script or style, no eval, nothing from elsewhere; every DOM sink that would parse a
 * string as HTML or script is refused by Trusted Types (the console builds nodes and text only).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
  'report-uri /console/api/csp-report',
].join('; ');

export const SECURITY_HEADERS: OutgoingHttpHeaders = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** Bodies of console requests are small JSON objects. */
export const MAX_BODY_BYTES = 64 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: OutgoingHttpHeaders = {}
  ) {
    super(message);
  }
}

const STATUS_OF: Record<string, number> = {
  TSEM_PARSE: 400,
  TSEM_MODEL_FILE: 400,
  TSEM_DIGEST: 400,
  TSEM_INVALID_ARGUMENT: 400,
  TSEM_NAMESPACE: 404,
  TSEM_PERMISSION: 403,
  TSEM_UNAUTHENTICATED: 401,
  TSEM_UNAVAILABLE: 503,
  TSEM_TPM: 503,
  TSEM_RESOURCE_EXHAUSTED: 429,
};

/** The HTTP status and message for an error; unknown errors are 500 without detail. */
export function statusOf(err: unknown): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  if (err instanceof EngineError)
    return { status: STATUS_OF[err.code] ?? 500, message: err.message };
  return { status: 500, message: 'internal error' };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {}
): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const { status, message } = statusOf(err);
  sendJson(res, status, { error: message }, err instanceof HttpError ? err.headers : {});
}

/** A JSON object body of at most MAX_BODY_BYTES, sent as application/json. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json(\s*;|$)/i.test(type))
    throw new HttpError(415, `expected content-type application/json, got '${type}'`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, `request body: at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let v: unknown;
  try {
    v = text === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `request body: expected JSON (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new HttpError(400, 'request body: expected a JSON object');
  return v as Record<string, unknown>;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}

/**
 * Mutations come from the console's own pages only: the Origin header (which browsers send with
 * every POST) must name this very host, or, without it, Fetch metadata must say same-origin.
 */
export function checkSameOrigin(req: IncomingMessage, secure: boolean): void {
  const host = req.headers.host;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (host !== undefined && origin === `${secure ? 'https' : 'http'}://${host}`) return;
    throw new HttpError(403, `cross-origin request refused (origin ${origin})`);
  }
  if (req.headers['sec-fetch-site'] === 'same-origin') return;
  throw new HttpError(403, 'cross-origin request refused (no Origin header)');
}

/** Whether the Host header names this machine by a loopback name (not a DNS name that could
 * be rebound to 127.0.0.1 by someone else's page). */
export function loopbackHost(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').toLowerCase();
  return /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/.test(host);
}

export function remoteAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
