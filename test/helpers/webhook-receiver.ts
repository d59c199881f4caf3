/**
 * A local HTTP webhook receiver for tests: records each request's headers and body, checks the
 * Standard Webhooks signature (HMAC-SHA256 over "id.timestamp.body", compared in constant time),
 * and answers with the status the test sets (or never, to play a hung receiver).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Delivery {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly signatureValid: boolean;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  readonly deliveries: Delivery[];
  /** Status to answer with; `hang` never answers. */
  status: number | 'hang';
  /** Resolves once `n` deliveries (valid or not) arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function verifyStandardWebhook(
  key: Buffer,
  headers: IncomingHttpHeaders,
  body: string
): boolean {
  const id = String(headers['webhook-id'] ?? '');
  const ts = String(headers['webhook-timestamp'] ?? '');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((sig) => {
      const [v, b64] = sig.split(',');
      const got = Buffer.from(b64 ?? '', 'base64');
      return v === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
    });
}

export async function startWebhookReceiver(key: Buffer, port = 0): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const waiters: (() => void)[] = [];
  const hung: (() => void)[] = [];
  const r: WebhookReceiver = {
    url: '',
    port: 0,
    deliveries,
    status: 200,
    waitFor(n, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`expected ${n} webhook deliveries, got ${deliveries.length}`)),
          timeoutMs
        );
        const check = () => {
          if (deliveries.length >= n) {
            clearTimeout(t);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
    close: () =>
      new Promise((resolve) => {
        for (const h of hung.splice(0)) h();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      deliveries.push({
        path: req.url ?? '',
        headers: req.headers,
        body,
        signatureValid: verifyStandardWebhook(key, req.headers, body),
      });
      for (const w of waiters.splice(0)) w();
      if (r.status === 'hang') hung.push(() => res.destroy());
      else res.writeHead(r.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const a = server.address();
  const p = typeof a === 'object' && a ? a.port : port;
  return Object.assign(r, { url: `http://127.0.0.1:${p}`, port: p });
}
