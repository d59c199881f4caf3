/** The gRPC server: Ingest, Monitor and Control, plus server reflection for grpcurl. */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { loadTsemProto } from '../../proto/load.js';
import { EngineError } from '../../common/errors.js';
import type { ControlHandlers } from '../../proto/gen/tsem/v1/Control.js';
import type { IngestHandlers } from '../../proto/gen/tsem/v1/Ingest.js';
import type { MonitorHandlers } from '../../proto/gen/tsem/v1/Monitor.js';
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

export function serverCredentials(tls: TlsFiles | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const ca = tls.clientCa ? read(tls.clientCa, 'client CA') : null;
  return grpc.ServerCredentials.createSsl(
    ca,
    [{ private_key: read(tls.key, 'TLS key'), cert_chain: read(tls.cert, 'TLS certificate') }],
    ca !== null
  );
}

export async function startGrpcServer(
  services: { ingest: IngestHandlers; monitor: MonitorHandlers; control: ControlHandlers },
  listen: string,
  tls: TlsFiles | undefined
): Promise<{ server: grpc.Server; address: string }> {
  const { definition, proto } = loadTsemProto();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  server.addService(proto.tsem.v1.Ingest.service, services.ingest);
  server.addService(proto.tsem.v1.Monitor.service, services.monitor);
  server.addService(proto.tsem.v1.Control.service, services.control);
  new ReflectionService(definition).addToServer(server);
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
  return { server, address: `${host}:${port}` };
}
