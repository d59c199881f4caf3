/** The gRPC server: Ingest, Monitor and Control, plus server reflection for grpcurl. */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { loadTsemProto } from '../../proto/load.js';
import { EngineError } from '../../common/errors.js';
import type { ControlHandlers } from '../../proto/gen/tsem/v1/Control.js';
import type { IngestHandlers } from '../../proto/gen/tsem/v1/Ingest.js';
import type { MonitorHandlers } from '../../proto/gen/tsem/v1/Monitor.js';
import type { OperationsHandlers } from '../../proto/gen/tsem/v1/Operations.js';
import { MAX_MESSAGE_BYTES } from '../../proto/limits.js';

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  /** CA for client certificates: when set, clients must present one (mTLS). */
  readonly clientCa?: string;
}

/** 16 MiB: a full 4096-event batch of large events fits; bigger messages get RESOURCE_EXHAUSTED. */

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `cannot read ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
    );
  }
}

/** The TLS files' contents (the HTTP listener uses the same ones). */
export function serverCredentialsFiles(tls: TlsFiles): { key: Buffer; cert: Buffer; ca?: Buffer } {
  return {
    key: read(tls.key, 'TLS key'),
    cert: read(tls.cert, 'TLS certificate'),
    ...(tls.clientCa ? { ca: read(tls.clientCa, 'client CA') } : {}),
  };
}

export function serverCredentials(tls: TlsFiles | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const f = serverCredentialsFiles(tls);
  return grpc.ServerCredentials.createSsl(
    f.ca ?? null,
    [{ private_key: f.key, cert_chain: f.cert }],
    f.ca !== undefined
  );
}

/** The services grpc.health.v1 reports on ("" is the whole server). */
export const HEALTH_SERVICES = [
  '',
  'tsem.v1.Ingest',
  'tsem.v1.Monitor',
  'tsem.v1.Control',
  'tsem.v1.Operations',
];

export async function startGrpcServer(
  services: {
    ingest: IngestHandlers;
    monitor: MonitorHandlers;
    control: ControlHandlers;
    operations: OperationsHandlers;
  },
  listen: string,
  tls: TlsFiles | undefined
): Promise<{ server: grpc.Server; address: string; health: HealthImplementation }> {
  const { definition, proto } = loadTsemProto();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  server.addService(proto.tsem.v1.Ingest.service, services.ingest);
  server.addService(proto.tsem.v1.Monitor.service, services.monitor);
  server.addService(proto.tsem.v1.Control.service, services.control);
  server.addService(proto.tsem.v1.Operations.service, services.operations);
  new ReflectionService(definition).addToServer(server);
  // Health answers without credentials, as load balancers and orchestrators expect.
  const health = new HealthImplementation(
    Object.fromEntries(HEALTH_SERVICES.map((s) => [s, 'NOT_SERVING' as const]))
  );
  health.addToServer(server);
  const creds = serverCredentials(tls);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listen, creds, (err, p) =>
      err
        ? reject(new EngineError('TSEM_UNAVAILABLE', `cannot listen on ${listen}: ${err.message}`))
        : resolve(p)
    )
  );
  const host = listen.startsWith('[')
    ? listen.slice(0, listen.indexOf(']') + 1)
    : listen.slice(0, listen.lastIndexOf(':'));
  return { server, address: `${host}:${port}`, health };
}
