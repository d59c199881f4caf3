/**
 * HTTP webhook output, signed as Standard Webhooks 1.0 does it: `webhook-id` (the record's stable
 * delivery id, the receiver's idempotency key, the same on every retry and after restarts),
 * `webhook-timestamp` (unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`. 2xx is delivered; 410 disables the output; 408, 429 and 5xx are retried
 * (Retry-After honoured); other 4xx reject the record. Redirects are not followed.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { EngineError } from '../../common/errors.js';
import { type AlertRecord, deliveryId } from '../incident/incident.js';
import { type AlertSink, DeliveryError } from './deliverer.js';
import { type Product, renderAlert } from './formats.js';
import type { OutputSpec } from './output-spec.js';

type WebhookSpec = Extract<OutputSpec, { type: 'webhook' }>;

/** The signing key: `whsec_<base64>` as Standard Webhooks writes it, else the string's bytes. */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

export function signWebhook(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

function retryAfter(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function createWebhookSink(
  spec: WebhookSpec,
  product: Product,
  env: NodeJS.ProcessEnv
): AlertSink {
  const secret = env[spec.secretEnv];
  if (!secret)
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `webhook output ${spec.name}: the signing secret is missing: set the environment variable ${spec.secretEnv} (or choose another with secret-env)`
    );
  const key = webhookKey(secret);
  const url = new URL(spec.url);
  const ca = spec.ca ? readFileSync(spec.ca) : undefined;
  const agent =
    url.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) })
      : new http.Agent({ keepAlive: true });
  const userAgent = `${product.name}/${product.version}`;

  return {
    send(record: AlertRecord, signal: AbortSignal): Promise<void> {
      const body = renderAlert(record, spec.format, product);
      const id = deliveryId(record);
      const ts = Math.floor(Date.now() / 1000);
      const request = url.protocol === 'https:' ? https.request : http.request;
      return new Promise<void>((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            signal,
            timeout: spec.timeoutMs,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'user-agent': userAgent,
              'webhook-id': id,
              'webhook-timestamp': String(ts),
              'webhook-signature': signWebhook(key, id, ts, body),
            },
          },
          (res) => {
            res.resume(); // the body is not needed; read it so the socket is reused
            const code = res.statusCode ?? 0;
            const where = `${spec.name} answered HTTP ${code}`;
            if (code >= 200 && code < 300) resolve();
            else if (code === 410) reject(new DeliveryError(where, 'disable'));
            else if (code === 408 || code === 429 || code >= 500 || code < 400)
              reject(new DeliveryError(where, 'retry', retryAfter(res.headers['retry-after'])));
            else reject(new DeliveryError(where, 'reject'));
          }
        );
        req.on('timeout', () => req.destroy(new Error(`no answer in ${spec.timeoutMs} ms`)));
        req.on('error', (err) =>
          reject(new DeliveryError(`${spec.name}: ${err.message}`, 'retry'))
        );
        req.end(body);
      });
    },
    close() {
      agent.destroy();
      return Promise.resolve();
    },
  };
}
