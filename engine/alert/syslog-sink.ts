/**
 * Syslog output, RFC 5424: to a local datagram socket (`unix:/dev/log`, through the native addon:
 * Node's dgram speaks only UDP) or over TCP with octet counting (reconnecting with backoff, the
 * deliverer's retries). A TCP record counts as delivered once the kernel took it.
 */
import { hostname } from 'node:os';
import * as net from 'node:net';
import { errorMessage } from '../../common/errors.js';
import { errnoCode, loadNativeAddon } from '../../native/addon.js';
import type { AlertRecord } from '../incident/incident.js';
import { type AlertSink, DeliveryError } from './deliverer.js';
import { type Detail, type Product, renderAlert } from './formats.js';
import type { OutputSpec } from './output-spec.js';
import { octetCounted, type SyslogHeader, syslogMessage } from './syslog-format.js';

type SyslogSpec = Extract<OutputSpec, { type: 'syslog' }>;

function header(spec: SyslogSpec): SyslogHeader {
  return {
    facility: spec.facility,
    hostname: hostname(),
    appName: spec.appName,
    procId: String(process.pid),
    sdId: spec.sdId,
  };
}

/**
 * The message at the most detail that fits `maxBytes` (receivers must take 480 octets, should take
 * 2048, rsyslog takes 8192 by default); a record that fits in no form is rejected.
 */
function fitted(record: AlertRecord, spec: SyslogSpec, product: Product, h: SyslogHeader): Buffer {
  for (const detail of ['full', 'compact', 'minimal'] as Detail[]) {
    const msg = syslogMessage(record, renderAlert(record, spec.format, product, detail), h);
    if (msg.length <= spec.maxBytes) return msg;
  }
  throw new DeliveryError(`record ${record.seq} does not fit in ${spec.maxBytes} bytes`, 'reject');
}

function unixSink(spec: SyslogSpec, path: string, product: Product): AlertSink {
  const addon = loadNativeAddon(); // fails at start, naming the missing addon
  const h = header(spec);
  return {
    send(record: AlertRecord): Promise<void> {
      try {
        const msg = fitted(record, spec, product, h);
        addon.sendUnixDgram(path, msg);
        return Promise.resolve();
      } catch (err) {
        if (err instanceof DeliveryError) return Promise.reject(err);
        const code = errnoCode(err);
        // Too big for the socket: no retry can help.
        const kind = code === 'EMSGSIZE' ? 'reject' : 'retry';
        return Promise.reject(new DeliveryError(`${path}: ${errorMessage(err)}`, kind));
      }
    },
    close: () => Promise.resolve(),
  };
}

function tcpSink(spec: SyslogSpec, host: string, port: number, product: Product): AlertSink {
  const h = header(spec);
  let socket: net.Socket | undefined;
  const connect = (signal: AbortSignal) =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port, signal });
      s.setKeepAlive(true);
      s.once('connect', () => {
        s.removeAllListeners('error');
        s.on('error', () => s.destroy());
        s.on('close', () => {
          if (socket === s) socket = undefined;
        });
        resolve(s);
      });
      s.once('error', (err) => reject(err));
    });
  return {
    async send(record: AlertRecord, signal: AbortSignal): Promise<void> {
      const frame = octetCounted(fitted(record, spec, product, h));
      try {
        socket ??= await connect(signal);
        const s = socket;
        await new Promise<void>((resolve, reject) =>
          s.write(frame, (err) => (err ? reject(err) : resolve()))
        );
      } catch (err) {
        socket?.destroy();
        socket = undefined;
        throw new DeliveryError(`syslog ${host}:${port}: ${errorMessage(err)}`, 'retry');
      }
    },
    close() {
      socket?.end();
      socket = undefined;
      return Promise.resolve();
    },
  };
}

export function createSyslogSink(spec: SyslogSpec, product: Product): AlertSink {
  if (spec.address.startsWith('unix:')) return unixSink(spec, spec.address.slice(5), product);
  const rest = spec.address.slice(4);
  const colon = rest.lastIndexOf(':');
  const host = rest.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return tcpSink(spec, host, Number(rest.slice(colon + 1)), product);
}
