/** Raw gRPC clients for end-to-end tests (real sockets, no CLI in between). */
import * as grpc from '@grpc/grpc-js';
import { loadTsemProto } from '../../proto/load.js';
import type { ControlClient } from '../../proto/gen/tsem/v1/Control.js';
import type { IngestClient } from '../../proto/gen/tsem/v1/Ingest.js';
import type { MonitorClient } from '../../proto/gen/tsem/v1/Monitor.js';
import type { BatchResult__Output } from '../../proto/gen/tsem/v1/BatchResult.js';
import type { Event } from '../../proto/gen/tsem/v1/Event.js';
import type { MonitorMessage__Output } from '../../proto/gen/tsem/v1/MonitorMessage.js';
import type { SubscribeRequest } from '../../proto/gen/tsem/v1/SubscribeRequest.js';
import type { TsemEventJson } from '../../proto/kernel-json.js';
import { createScenario } from '../../exporter/sim/index.js';

export interface Clients {
  ingest: IngestClient;
  monitor: MonitorClient;
  control: ControlClient;
  meta: grpc.Metadata;
  close(): void;
}

export function clients(
  address: string,
  token?: string,
  creds = grpc.credentials.createInsecure()
): Clients {
  const { proto } = loadTsemProto();
  const v1 = proto.tsem.v1;
  const ingest = new v1.Ingest(address, creds);
  const monitor = new v1.Monitor(address, creds);
  const control = new v1.Control(address, creds);
  const meta = new grpc.Metadata();
  if (token) meta.set('authorization', `Bearer ${token}`);
  return {
    ingest,
    monitor,
    control,
    meta,
    close: () => [ingest, monitor, control].forEach((c) => c.close()),
  };
}

/** Calls a unary Control method as a promise. */
export function call<Res>(c: Clients, method: string, req: object, meta = c.meta): Promise<Res> {
  return new Promise((resolve, reject) =>
    (
      c.control as unknown as Record<
        string,
        (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: Res) => void) => void
      >
    )[method]!(req, meta, (e, r) => (e ? reject(e) : resolve(r)))
  );
}

export function toWire(namespace: string, e: TsemEventJson): Event {
  const type = e.event.type;
  return {
    namespace,
    structured: {
      header: { ...e.event },
      coe: { ...e.COE },
      cell_json: Buffer.from(JSON.stringify(e[type] ?? {})),
    },
  };
}

/** Sends batches on one Ingest stream and returns the results in order. */
export function ingest(c: Clients, batches: Event[][]): Promise<BatchResult__Output[]> {
  return new Promise((resolve, reject) => {
    const stream = c.ingest.Stream(c.meta);
    const results: BatchResult__Output[] = [];
    stream.on('data', (r: { result?: BatchResult__Output }) => r.result && results.push(r.result));
    stream.on('error', reject);
    stream.on('end', () => resolve(results));
    stream.write({ hello: { exporter: 'test', host: 'testhost' } });
    batches.forEach((events, i) => stream.write({ batch: { batch_id: String(i + 1), events } }));
    stream.end();
  });
}

/** Subscribes and collects messages until `until` says stop. */
export function subscribe(c: Clients, req: SubscribeRequest, meta = c.meta) {
  const stream = c.monitor.Subscribe(req, meta);
  const messages: MonitorMessage__Output[] = [];
  const waiters: (() => void)[] = [];
  let error: grpc.ServiceError | undefined;
  stream.on('data', (m: MonitorMessage__Output) => {
    messages.push(m);
    waiters.splice(0).forEach((w) => w());
  });
  stream.on('error', (e: grpc.ServiceError) => {
    error = e;
    waiters.splice(0).forEach((w) => w());
  });
  return {
    stream,
    messages,
    get error() {
      return error;
    },
    async waitFor(pred: (m: MonitorMessage__Output[]) => boolean, ms = 5000): Promise<void> {
      const end = Date.now() + ms;
      while (!pred(messages) && !error) {
        if (Date.now() > end)
          throw new Error(`timed out waiting for monitor messages (have ${messages.length})`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
    cancel: () => stream.cancel(),
  };
}

/** A simulated scenario's events for namespace `ns`, as wire batches of `size`. */
export function scenarioBatches(ns: string, scenario: string, seed: number, size = 400): Event[][] {
  const out: Event[][] = [[]];
  for (const e of createScenario(scenario, { seed, iterations: 2 }).events()) {
    if (out.at(-1)!.length >= size) out.push([]);
    out.at(-1)!.push(toWire(ns, e));
  }
  return out;
}
