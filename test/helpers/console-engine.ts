/**
 * An engine with its HTTP listener (and so the web console) on ephemeral loopback ports, an
 * identities file with a viewer limited to namespace `web`, and plain HTTP helpers that speak to
 * the console as a browser would (cookie, Origin, CSRF header) and read its server-sent events.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleOptions } from '../../console/server/console-deps.js';
import { type EngineOptions, type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { tokenDigest } from '../../engine/server/auth.js';
import { createScenario } from '../../exporter/sim/index.js';

export interface ConsoleEngine {
  readonly engine: RunningEngine;
  /** http://127.0.0.1:PORT */
  readonly base: string;
  readonly host: string;
  readonly adminToken: string;
  /** A viewer limited to namespace `web`. */
  readonly viewerToken: string;
  /** Every log line the engine wrote. */
  readonly logs: string[];
  /** Feeds a simulated scenario into a namespace (in-process, persisted when it resolves). */
  feed(
    ns: string,
    scenario: string,
    seed: number,
    iterations: number,
    process?: string
  ): Promise<void>;
  close(): Promise<void>;
}

export async function startConsoleEngine(
  opts: {
    console?: ConsoleOptions;
    authFile?: boolean;
    /** IMA and the modeling agent, as `tsem serve --ima --attest`. */
    engine?: Pick<EngineOptions, 'ima' | 'agent' | 'limits' | 'lineTail'>;
  } = {}
): Promise<ConsoleEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-console-'));
  const viewerToken = randomBytes(24).toString('base64url');
  const authFile = join(dir, 'identities.json');
  writeFileSync(
    authFile,
    JSON.stringify({
      identities: [
        {
          name: 'web-viewer',
          token_sha256: tokenDigest(viewerToken),
          roles: ['viewer'],
          namespaces: ['web'],
        },
      ],
      anonymous: null,
    })
  );
  const logs: string[] = [];
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    http: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    authFile: opts.authFile === false ? undefined : authFile,
    log: (l) => logs.push(l),
    console: opts.console,
    ...opts.engine,
  });
  const origin = { host: 'sim-host', exporter: 'sim' };
  return {
    engine,
    base: `http://${engine.httpAddress}`,
    host: engine.httpAddress!,
    adminToken: engine.adminToken,
    viewerToken,
    logs,
    async feed(ns, scenario, seed, iterations, process) {
      const events = [...createScenario(scenario, { seed, iterations }).events()].map((e) => ({
        obj: process === undefined ? e : { ...e, event: { ...e.event, process } },
      }));
      await engine.submit(ns, origin, events);
    },
    async close() {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface Call {
  readonly method?: string;
  readonly body?: unknown;
  readonly cookie?: string;
  readonly csrf?: string;
  /** Default: the console's own origin on POST; null sends none. */
  readonly origin?: string | null;
  readonly headers?: http.OutgoingHttpHeaders;
}

export function call(base: string, path: string, c: Call = {}): Promise<Reply> {
  const method = c.method ?? (c.body !== undefined ? 'POST' : 'GET');
  const headers: http.OutgoingHttpHeaders = { ...c.headers };
  if (c.cookie) headers['cookie'] = c.cookie;
  if (c.csrf) headers['x-csrf-token'] = c.csrf;
  if (method === 'POST' && c.origin !== null) headers['origin'] = c.origin ?? base;
  let payload: string | undefined;
  if (c.body !== undefined) {
    payload = JSON.stringify(c.body);
    headers['content-type'] ??= 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        })
      );
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface SignedIn {
  readonly cookie: string;
  readonly csrf: string;
  readonly whoami: Record<string, unknown>;
  readonly setCookie: string;
}

export async function signIn(base: string, token: string): Promise<SignedIn> {
  const r = await call(base, '/console/api/session', { body: { token } });
  if (r.status !== 200) throw new Error(`sign-in: ${r.status} ${r.text}`);
  const setCookie = r.headers['set-cookie']?.[0] ?? '';
  const whoami = r.json();
  return { cookie: setCookie.split(';')[0]!, csrf: String(whoami['csrf']), whoami, setCookie };
}

export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

export interface Sse {
  readonly status: number;
  readonly events: SseEvent[];
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  /** Resolves with the first event (past or future) that matches, or rejects after `ms`. */
  waitFor(pred: (e: SseEvent) => boolean, ms?: number): Promise<SseEvent>;
  close(): void;
}

export function openSse(
  base: string,
  path: string,
  cookie: string,
  lastEventId?: string
): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { cookie, accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const req = http.get(`${base}${path}`, { headers }, (res) => {
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      let buf = '';
      res.setEncoding('utf8');
      const ended = new Promise<void>((done) => res.on('end', done));
      res.on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: { event: string; data: string; id?: string } = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data += line.slice(6);
            else if (line.startsWith('id: ')) e.id = line.slice(4);
          }
          if (e.data !== '' || e.event !== 'message') events.push(e);
        }
        for (const w of [...waiters]) w();
      });
      resolve({
        status: res.statusCode ?? 0,
        events,
        ended,
        waitFor(pred, ms = 10_000) {
          return new Promise((ok, fail) => {
            const check = () => {
              const hit = events.find(pred);
              if (!hit) return false;
              waiters.delete(check);
              clearTimeout(timer);
              ok(hit);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(
                new Error(
                  `no matching event in ${ms} ms; got ${events.map((e) => e.event).join(', ')}`
                )
              );
            }, ms);
            if (!check()) waiters.add(check);
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
