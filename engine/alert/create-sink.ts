/** One output's transport from its spec. */
import type { AlertSink } from './deliverer.js';
import { createFileSink } from './file-sink.js';
import type { Product } from './formats.js';
import type { OutputSpec } from './output-spec.js';
import { createSyslogSink } from './syslog-sink.js';
import { createWebhookSink } from './webhook-sink.js';

export function createAlertSink(
  spec: OutputSpec,
  product: Product,
  env: NodeJS.ProcessEnv
): AlertSink {
  if (spec.type === 'file') return createFileSink(spec, product);
  if (spec.type === 'syslog') return createSyslogSink(spec, product);
  return createWebhookSink(spec, product, env);
}
