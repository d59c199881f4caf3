/**
 * JSON lines file output with size rotation (rotating-file-stream, logrotate style: FILE, FILE.1
 * … FILE.keep). A record counts as delivered once its line is written to the file.
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { AlertRecord } from '../incident/incident.js';
import { type AlertSink, DeliveryError } from './deliverer.js';
import { type Product, renderAlert } from './formats.js';
import type { OutputSpec } from './output-spec.js';

type FileSpec = Extract<OutputSpec, { type: 'file' }>;

export function createFileSink(spec: FileSpec, product: Product): AlertSink {
  mkdirSync(dirname(spec.path), { recursive: true, mode: 0o750 });
  let stream: RotatingFileStream | undefined;
  let failed: Error | undefined;
  const open = () => {
    const s = createStream(basename(spec.path), {
      path: dirname(spec.path),
      size: `${spec.maxBytes}B`,
      rotate: spec.keep,
      mode: 0o640,
    });
    s.on('error', (err) => {
      failed = err;
      stream = undefined;
    });
    return s;
  };
  return {
    send(record: AlertRecord): Promise<void> {
      if (failed) {
        const err = failed;
        failed = undefined;
        return Promise.reject(new DeliveryError(`${spec.path}: ${err.message}`, 'retry'));
      }
      stream ??= open();
      const s = stream;
      const line = `${renderAlert(record, spec.format, product)}\n`;
      return new Promise((resolve, reject) =>
        s.write(line, (err) =>
          err ? reject(new DeliveryError(`${spec.path}: ${err.message}`, 'retry')) : resolve()
        )
      );
    },
    close() {
      const s = stream;
      stream = undefined;
      if (!s) return Promise.resolve();
      return new Promise((resolve) => s.end(() => resolve()));
    },
  };
}
