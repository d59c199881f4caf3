/**
 * Composition root: the only place concrete classes are wired together and configuration is read.
 * `startEngine()` opens the LevelDB store, restores every namespace, starts the per-namespace
 * pipeline, the subscriber hub and the gRPC server.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '@grpc/grpc-js';
import { EngineError } from '../common/errors.js';
import type { Submit } from './feed-source.js';
import { createLog, type Log } from '../common/log.js';
import { createDigest } from './measure/digest.js';
import type { Dialect } from './measure/mapper.js';
import { Pipeline } from './ns/pipeline.js';
import { NamespaceRegistry } from './ns/registry.js';
import { type AuthConfig, type Identity, parseAuthFile, tokenDigest } from './server/auth.js';
import { type Attester, createControlService, type ImaLogs } from './server/control-service.js';
import type { PipelineStage } from './ns/stage.js';
import { startGrpcServer, type TlsFiles } from './server/grpc-server.js';
import { Hub } from './server/hub.js';
import { createIngestService } from './server/ingest-service.js';
import { createMonitorService } from './server/monitor-service.js';
import { defaultDataDir, LevelStore } from './store/level-store.js';

export const DEFAULT_LISTEN = '127.0.0.1:50551';
const SHUTDOWN_GRACE_MS = 2000;

export interface EngineOptions {
  /** host:port; loopback by default. Port 0 picks a free port. */
  readonly listen?: string;
  /** LevelDB data directory (default: defaultDataDir()). */
  readonly dataDir?: string;
  /** Create namespaces named by ingested events (default true). */
  readonly autoCreate?: boolean;
  readonly digest?: string;
  readonly dialect?: Dialect;
  /** Hardware aggregate per digest name (default: zeros, i.e. no TPM). */
  readonly aggregate?: (digest: string) => Buffer;
  readonly tls?: TlsFiles;
  /** JSON auth file (see engine/server/auth.ts). */
  readonly authFile?: string;
  readonly log?: Log;
  /** Pipeline extensions (IMA, TPM PCR extension, agent mirror), run in order. */
  readonly stages?: readonly PipelineStage[];
  readonly attester?: Attester;
  readonly ima?: ImaLogs;
  /** Runs after the namespaces are restored and before the server listens (restores of parts that
   * keep their own state in the store, such as the IMA logs). */
  readonly beforeListen?: (store: LevelStore) => Promise<void>;
}

export interface RunningEngine {
  readonly address: string;
  /** The admin bearer token (also in <dataDir>/admin.token, mode 0600). */
  readonly adminToken: string;
  readonly dataDir: string;
  readonly registry: NamespaceRegistry;
  /** In-process ingest (sources run inside the server): resolves once persisted. */
  readonly submit: Submit;
  /** The open LevelDB store, for parts that keep their state in it (the IMA logs). */
  readonly store: LevelStore;
  stop(): Promise<void>;
}

/** Reads the admin token, creating it (0600) on first start. */
function adminToken(dataDir: string): string {
  const file = join(dataDir, 'admin.token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

function isLoopback(listen: string): boolean {
  return /^(127\.|localhost:|\[::1\]:)/.test(listen);
}

export async function startEngine(opts: EngineOptions = {}): Promise<RunningEngine> {
  const log = opts.log ?? createLog();
  const listen = opts.listen ?? DEFAULT_LISTEN;
  const dataDir = opts.dataDir ?? defaultDataDir();
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new EngineError('TSEM_STORE', `cannot create the data directory ${dataDir}: ${(err as NodeJS.ErrnoException).code}`);
  }
  const token = adminToken(dataDir);
  const admin: Identity = { name: 'admin', roles: new Set(['admin']) };
  // Without TLS off loopback nobody is trusted by default; on loopback, anyone may feed and watch.
  const anonymous: Identity | undefined =
    isLoopback(listen) && !opts.tls ? { name: 'anonymous', roles: new Set(['exporter', 'viewer']) } : undefined;
  let auth: AuthConfig = { tokens: new Map([[tokenDigest(token), admin]]), certs: new Map(), anonymous };
  if (opts.authFile) auth = parseAuthFile(readFileSync(opts.authFile, 'utf8'), opts.authFile, auth);
  if (!isLoopback(listen) && !opts.tls) log(`warning: listening on ${listen} without TLS; every call needs a bearer token`);

  const store = await LevelStore.open(join(dataDir, 'store'));
  const digest = createDigest(opts.digest ?? 'sha256').name;
  const registry = new NamespaceRegistry(store, {
    digest,
    dialect: opts.dialect ?? 'tsem-6.12',
    aggregate: opts.aggregate ?? ((d) => createDigest(d).nullDigest),
    autoCreate: opts.autoCreate ?? true,
  });
  const restored = await registry.restore();
  try {
    await opts.beforeListen?.(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  const hub = new Hub();
  const pipeline = new Pipeline(
    registry,
    (ns, origin, outcomes) => hub.publish(ns, origin, outcomes),
    (ns, err) => log(`namespace=${ns} error=${JSON.stringify(err instanceof Error ? err.message : String(err))}`),
    opts.stages ?? []
  );
  let server: Server;
  let address: string;
  try {
    ({ server, address } = await startGrpcServer(
      {
        ingest: createIngestService(pipeline, auth, log),
        monitor: createMonitorService(hub, auth),
        control: createControlService(registry, pipeline, auth, { attester: opts.attester, ima: opts.ima }),
      },
      listen,
      opts.tls
    ));
  } catch (err) {
    pipeline.close();
    await store.close();
    throw err;
  }
  log(`listening on ${address} (${opts.tls ? (opts.tls.clientCa ? 'mTLS' : 'TLS') : 'insecure'}), data ${dataDir}, ${restored} namespace(s) restored`);
  return {
    address,
    adminToken: token,
    dataDir,
    registry,
    submit: (ns, origin, events) => pipeline.submit(ns, origin, events),
    store,
    async stop() {
      hub.close();
      // Open exporter streams would hold a graceful shutdown forever: force after a grace period.
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      pipeline.close();
      await store.close();
    },
  };
}
