/**
 * The engine program's composition root, the only place its parts are built and wired:
 * `startEngine(options)` opens the LevelDB store and restores every namespace, builds the IMA
 * stage, the TPM trust and the modeling agent, starts the pipeline, the subscriber hub and the
 * gRPC server, then the in-process sources. `tsem serve` only turns arguments into options.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '@grpc/grpc-js';
import { EngineError, errorMessage } from '../common/errors.js';
import { asLog, createLog, type Log } from '../common/log.js';
import { packageInfo } from '../common/package-info.js';
import { type MountedConsole, mountConsole } from '../console/server/mount-console.js';
import { AlertService } from '../engine/alert/alert-service.js';
import { createAlertSink } from '../engine/alert/create-sink.js';
import { EngineMetrics } from '../engine/metrics/engine-metrics.js';
import { HttpRoutes, type RunningHttp, startHttpServer } from '../engine/server/http-server.js';
import { createOperationsService } from '../engine/server/operations-service.js';
import { AlertStore } from '../engine/store/alert-store.js';
import { STORE_FORMAT } from '../engine/store/store-format.js';
import { formatPublicKey } from '../engine/attest/keys.js';
import { mergeModelKeys, type ModelKeys, parseModelKey } from '../engine/attest/model-signature.js';
import { Canisters } from '../engine/canister/canisters.js';
import type { LabelModelStore } from '../engine/canister/label-models.js';
import { CanisterRoutes, FINISHED_ROUTE_MS } from '../engine/canister/routes.js';
import { feedSource, type Submit } from '../engine/feed-source.js';
import { createImaStage, type ImaStageParts } from '../engine/ima-stage/create-ima-stage.js';
import { readImaStageFiles } from '../engine/ima-stage/io/stage-files.js';
import { createDigest } from '../engine/measure/digest.js';
import { Pipeline } from '../engine/ns/pipeline.js';
import { NamespaceRegistry } from '../engine/ns/registry.js';
import { ShardPool } from '../engine/shard/shard-pool.js';
import { isLoopback, loadAdminToken, writeServerRecord } from '../engine/server/admin-token.js';
import {
  type AuthConfig,
  type Identity,
  parseAuthFile,
  tokenDigest,
} from '../engine/server/auth.js';
import { createControlService, modelLockOf } from '../engine/server/control-service.js';
import { HEALTH_SERVICES, startGrpcServer } from '../engine/server/grpc-server.js';
import { Hub } from '../engine/server/hub.js';
import { createIngestService } from '../engine/server/ingest-service.js';
import { DecisionFeed } from '../engine/server/decision-feed.js';
import { createMonitorService, SubscriberQuota } from '../engine/server/monitor-service.js';
import { ImaConfigStore } from '../engine/store/ima-config-store.js';
import { ImaLogStore } from '../engine/store/ima-log-store.js';
import { LevelLabelStore } from '../engine/store/label-store.js';
import { defaultDataDir, ROOT_DATA_DIR, userDataDir } from '../engine/store/data-dir.js';
import { LevelStore } from '../engine/store/level-store.js';
import { loadStoreKey } from '../engine/store/store-key.js';
import { createTrust, type Trust } from '../engine/trust/create-trust.js';
import { registerDaemon } from '../exporter/host/daemon-registry.js';
import { createModelingAgent } from '../tee-sim/host/start-agent.js';
import { DEFAULT_LISTEN, type EngineOptions, type ImaOptions } from './engine-options.js';
import { createInProcessSource, type InProcessSource } from './in-process-source.js';
import { systemdNotifier } from './systemd-notify.js';
import { localTasksGone } from './tasks-gone.js';
import { startLoopWatchdog } from './loop-watchdog.js';
import { IdleMemory } from '../common/idle-memory.js';
import { DEFAULT_LIMITS, type Limits } from '../proto/limits.js';

export { DEFAULT_LISTEN, type EngineOptions } from './engine-options.js';
import type { Pool } from '../fleet/pool/pool.js';

/** Open exporter streams would hold a graceful shutdown forever: forced after this (what they
 * sent but was not acknowledged, they send again to the next engine). */
const SHUTDOWN_GRACE_MS = 100;
/** How often in-process sources' drops are passed on to subscribers. */
const DROP_REPORT_MS = 1000;
const mib = (bytes: number) => (bytes / 1048576).toFixed(0);

export interface RunningEngine {
  readonly address: string;
  /** The admin bearer token (also in <dataDir>/admin.token, mode 0600). */
  readonly adminToken: string;
  readonly dataDir: string;
  readonly registry: NamespaceRegistry;
  /** In-process ingest (sources run inside the server): resolves once persisted. */
  readonly submit: Submit;
  /** The open LevelDB store. */
  readonly store: LevelStore;
  /** Canisters running now (`tsem run`): which namespace each host cgroup's events go to. */
  readonly canisterRoutes: CanisterRoutes;
  /** The models stored per label. */
  readonly labels: LabelModelStore;
  /** The IMA stage, when IMA is on. */
  readonly ima?: ImaStageParts;
  /** The hardware aggregate for a namespace digest (§2.7); zeros without a TPM. */
  aggregate(digest: string): Buffer;
  /** The modeling agent's public key, when the agent runs. */
  readonly agentPublicKey?: Uint8Array;
  /** The HTTP listener's address, when `http` was given. */
  readonly httpAddress?: string;
  /** Routes of the HTTP listener: other parts (the web console) add theirs here. */
  readonly routes: HttpRoutes;
  /** The web console, mounted on the HTTP listener when `http` was given. */
  readonly console?: MountedConsole;
  readonly metrics: EngineMetrics;
  /** Incidents and their delivery. */
  readonly alerts: AlertService;
  /** Settles with a reason once every in-process source has ended; never without sources. */
  readonly sourcesEnded: Promise<string>;
  /** Drop counters (subscribers and sources, by cause, host and exporter): what metrics read. */
  readonly hub: Hub;
  /** Why ingest is stopped now (the store failed and is recovering), if it is. */
  stopped(): Error | undefined;
  /** The worker threads deciding namespaces' events (--workers), when there are any. */
  readonly shards?: ShardPool;
  /** The engine's membership in a fleet (--nats). */
  readonly fleet?: Pool;
  stop(): Promise<void>;
}

function authConfig(opts: EngineOptions, listen: string, token: string, log: Log): AuthConfig {
  const admin: Identity = { name: 'admin', roles: new Set(['admin']) };
  // Without TLS off loopback nobody is trusted by default; on loopback, anyone may feed and watch.
  const anonymous: Identity | undefined =
    isLoopback(listen) && !opts.tls
      ? { name: 'anonymous', roles: new Set(['exporter', 'viewer']) }
      : undefined;
  const auth: AuthConfig = {
    tokens: new Map([[tokenDigest(token), admin]]),
    certs: new Map(),
    anonymous,
  };
  if (!isLoopback(listen) && !opts.tls) {
    // Tokens would cross the network in plain text: only when the operator says so.
    if (!opts.insecure)
      throw new EngineError(
        'TSEM_INVALID_ARGUMENT',
        `refusing to listen on ${listen} without TLS: it is reachable from the network and bearer tokens would travel in plain text; give --tls-cert and --tls-key, listen on loopback, or pass --insecure`
      );
    log(
      `warning: listening on ${listen} without TLS (--insecure); every call needs a bearer token`
    );
  }
  if (!opts.authFile) return auth;
  let text: string;
  try {
    text = readFileSync(opts.authFile, 'utf8');
  } catch (err) {
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `cannot read the identities file '${opts.authFile}': ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`
    );
  }
  return parseAuthFile(text, opts.authFile, auth);
}

function modelKeys(opts: EngineOptions): { keys: ModelKeys; required: boolean } {
  const keys = mergeModelKeys(
    (opts.modelKeyFiles ?? []).map((f) => {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch (err) {
        throw new EngineError(
          'TSEM_INVALID_ARGUMENT',
          `cannot read the model key '${f}': ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`
        );
      }
      return parseModelKey(text, f);
    })
  );
  const required = opts.requireSignedModels === true;
  if (required && keys.ed25519.length + keys.rsa.length === 0)
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      'signed models are required but no model key is given (--model-key FILE)'
    );
  return { keys, required };
}

function imaStage(ima: ImaOptions, kernelSource: boolean, log: Log): ImaStageParts {
  const files = readImaStageFiles(ima.policyFile, ima.keyFiles ?? []);
  const policy =
    ima.policy !== undefined
      ? { policy: ima.policy, policySource: ima.policySource ?? 'text' }
      : {};
  // Events from other machines name files this host does not have: their digests come from the events only.
  const local = ima.localFiles ?? kernelSource;
  const readers =
    ima.readers ?? (local ? {} : { readXattr: () => undefined, hashFile: () => undefined });
  return createImaStage({ ...files, ...policy, ...readers, log });
}

/**
 * The default data directory; a root daemon whose data is still in the per-user place (the old
 * default) keeps using it until it is moved, and says so.
 */
function chooseDataDir(log: Log): string {
  const dir = defaultDataDir();
  if (dir !== ROOT_DATA_DIR || existsSync(dir)) return dir;
  const legacy = userDataDir();
  if (existsSync(join(legacy, 'store'))) {
    log.warn(
      `data directory: using ${legacy} (found there); root's default is now ${ROOT_DATA_DIR}: stop the engine and move it there`
    );
    return legacy;
  }
  return dir;
}

export async function startEngine(opts: EngineOptions = {}): Promise<RunningEngine> {
  const log = opts.log
    ? asLog(opts.log)
    : createLog('tsem', undefined, { level: opts.logging?.level, format: opts.logging?.format });
  const listen = opts.listen ?? DEFAULT_LISTEN;
  const dataDir = opts.dataDir ?? chooseDataDir(log);
  const pkg = packageInfo();
  const product = { name: pkg.name, version: pkg.version };
  const env = opts.env ?? process.env;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new EngineError(
      'TSEM_STORE',
      `cannot create the data directory ${dataDir}: ${(err as NodeJS.ErrnoException).code}`
    );
  }
  if (opts.daemonRegistry !== false) registerDaemon('engine', opts.daemonRegistry);
  const token = loadAdminToken(dataDir);
  const models = modelKeys(opts);
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const auth = authConfig(opts, listen, token, log);
  const sources: InProcessSource[] = (opts.sources ?? []).map(createInProcessSource);
  if (opts.workers && opts.agent)
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      'workers: the modeling agent follows each namespace event by event on the main thread; run it without worker threads'
    );
  const ima = opts.ima
    ? imaStage(
        opts.ima,
        sources.some((s) => s.origin.exporter !== 'sim'),
        log
      )
    : undefined;

  const alertOpts = opts.alerts ?? {};
  // Outputs are built (and their secrets checked) before anything starts.
  const outputs = (alertOpts.outputs ?? []).map((spec) => ({
    spec,
    sink: createAlertSink(spec, product, env),
  }));

  const cleanup: (() => Promise<void> | void)[] = [];
  const started: InProcessSource[] = [];
  // Sources' verdict caches (in-process, and remote exporters' through their Ingest streams) are
  // emptied when a namespace's decisions or the canister routes change.
  const decisions = new DecisionFeed();
  const forgetVerdicts = (ns = '') => {
    for (const s of sources) s.invalidate();
    decisions.changed(ns);
  };
  const close = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    if (opts.loopStallMs !== 0) {
      const watchdog = startLoopWatchdog(log, { stallMs: opts.loopStallMs });
      cleanup.push(() => watchdog.stop());
    }
    const trust: Trust = await createTrust({
      tpm: opts.tpm,
      ...(opts.akHandle !== undefined ? { akHandle: opts.akHandle } : {}),
      rootNamespace: opts.rootNamespace,
      agent: opts.agent
        ? createModelingAgent({ platformSecretPath: opts.agent.platformSecretFile, tee: true })
        : undefined,
      imaEntries: ima ? () => ima.durableHostEntries() : undefined,
      log,
    });
    cleanup.push(() => trust.close());
    log(trust.describe);
    if (opts.agent?.publicKeyOut && trust.agentPublicKey)
      writeFileSync(opts.agent.publicKeyOut, formatPublicKey(trust.agentPublicKey));

    // The NATS client is loaded only by an engine that joins a fleet (≈7 MiB RSS otherwise).
    const fleet = opts.fleet
      ? await (await import('./join-fleet.js')).connectFleet(opts.fleet, log)
      : undefined;
    if (fleet) cleanup.push(() => fleet.stop());
    const store = await LevelStore.open(join(dataDir, 'store'), {
      log,
      sync: opts.sync,
      salvage: opts.salvage,
      macKey: opts.storeKeyFile ? loadStoreKey(opts.storeKeyFile, dataDir) : undefined,
    });
    cleanup.push(() => store.close());
    const registry = new NamespaceRegistry(store, {
      digest: createDigest(opts.digest ?? 'sha256').name,
      dialect: opts.dialect ?? 'tsem-6.12',
      aggregate: (digest) => trust.aggregate(digest),
      autoCreate: opts.autoCreate ?? true,
      maxNamespaces: limits.maxNamespaces,
      maxCreatedPerIdentity: limits.maxNamespacesPerIdentity,
      lineTail: opts.lineTail,
    });
    const restored = await registry.restore();
    await trust.modelRestored((name) => registry.get(name));
    if (opts.sync) log("store: every write is fsync'd (--sync)");
    if (ima) {
      // The IMA logs come back from the store before the first event can arrive.
      const r = await ima.restore(ImaLogStore.of(store));
      const c = await ima.admin.restore(ImaConfigStore.of(store));
      await trust.imaRestored();
      if (r.entries > 0) log(`IMA: restored ${r.entries} log entries in ${r.levels} level(s)`);
      if (c.policies + c.keyrings > 0)
        log(`IMA: restored ${c.policies} namespace policy(ies) and ${c.keyrings} keyring(s)`);
      log(
        `IMA: on (${opts.ima?.policyFile ?? 'tcb policy'}, ${opts.ima?.keyFiles?.length ?? 0} appraisal key(s))`
      );
    }

    const alerts = new AlertService(AlertStore.of(store), log.child({ component: 'alerts' }), {
      tracker: {
        quietMs: alertOpts.quietMs,
        updateIntervalMs: alertOpts.updateIntervalMs,
        rateLimit: alertOpts.rateLimit,
        newId: randomUUID,
      },
      retention: alertOpts.retention,
      sweepMs: alertOpts.sweepMs,
      backoff: alertOpts.backoff,
      tasksGone: localTasksGone(),
    });
    await alerts.start(fleet ? [...outputs, fleet.incidents] : outputs);
    cleanup.push(() => alerts.stop());
    if (outputs.length > 0)
      log(`alerts: ${outputs.map((o) => `${o.spec.name} (${o.spec.format})`).join(', ')}`);

    const hub = new Hub((name) => registry.get(name)?.eventCount);
    // Monitor streams and the console's live views share each identity's subscription limits.
    const subscriberQuota = new SubscriberQuota(limits);
    // Worker threads deciding namespaces' events; closed after the pipeline (cleanup runs backwards).
    const shards = opts.workers
      ? new ShardPool(opts.workers, { log: (m) => log.warn(m) })
      : undefined;
    if (shards) {
      cleanup.push(() => shards.close());
      log.info(`namespaces: events decided in ${shards.size} worker thread(s)`);
    }
    const metrics = new EngineMetrics(pkg.version, {
      namespaces: () => registry.list(),
      subscribers: () => ({ count: hub.size, dropped: hub.droppedTotal }),
      verdictCache: () => ({ streams: decisions.listening, changes: decisions.epoch }),
      outputs: () => alerts.deliverers.map((d) => ({ name: d.name, ...d.stats })),
      incidents: () => ({ open: alerts.tracker.openIncidents(), records: alerts.recordCounts }),
      sources: () => started.map((s) => ({ kind: s.origin.exporter, stats: s.stats() })),
      ...(shards ? { shards: () => shards.stats(), shardRestarts: () => shards.restarts } : {}),
    });
    let submissions = 0;
    if (opts.idleGc !== false) {
      const idle = new IdleMemory({
        activity: () => submissions,
        startupBurst: true,
        report: (r) =>
          log.debug(
            `memory: ingest idle, full collection in ${r.ms.toFixed(0)} ms: heap ${mib(r.heapBefore)} → ${mib(r.heapAfter)} MiB`
          ),
      }).start();
      cleanup.push(() => idle.stop());
    }
    const pipeline = new Pipeline(
      registry,
      (ns, origin, outcomes) => {
        metrics.countOutcomes(ns, outcomes);
        hub.publish(ns, origin, outcomes);
        fleet?.notices(ns.id, origin, outcomes);
      },
      (ns, err) => log.error(`namespace ${ns}: ${errorMessage(err)}`, { namespace: ns }),
      [...(ima ? [ima.stage] : []), ...trust.stages, ...(opts.stages ?? []), alerts.stage],
      {
        ...metrics.observer,
        pending: (delta) => {
          if (delta > 0) submissions++;
          metrics.observer.pending?.(delta);
        },
        decisionsChanged: forgetVerdicts,
      },
      log,
      shards
    );
    cleanup.push(() => pipeline.close());
    const graceMs = opts.canisterGraceMs ?? FINISHED_ROUTE_MS;
    const canisterRoutes = new CanisterRoutes(Date.now, graceMs, undefined, () => forgetVerdicts());
    // In a fleet the labelled models are the fleet's (one store for every engine).
    const labels = fleet ? fleet.labels : await LevelLabelStore.open(store);
    const canisters = new Canisters({
      registry,
      pipeline,
      routes: canisterRoutes,
      labels,
      graceMs,
      modelLock: modelLockOf(models),
    });
    // After the sources and the server stopped, before the pipeline: no late event can come.
    cleanup.push(() => canisters.close());
    const { server, address, health } = await startGrpcServer(
      {
        ingest: createIngestService(
          pipeline,
          auth,
          log,
          limits.maxEventBytes,
          canisterRoutes,
          (origin, counts) => hub.reportSourceDrops(origin, counts),
          opts.durability,
          decisions
        ),
        monitor: createMonitorService(hub, auth, limits, subscriberQuota),
        control: createControlService(
          registry,
          pipeline,
          auth,
          { canisters, routes: canisterRoutes, labels, log },
          {
            attester: trust.attester,
            ima: ima?.logs,
            log,
            namespaceDeleted: (name) => alerts.namespaceDeleted(name),
            imaAdmin: ima?.admin,
            keys: trust.keys,
            models,
          }
        ),
        operations: createOperationsService(
          registry,
          pipeline,
          auth,
          alerts,
          { name: pkg.name, version: pkg.version, storeFormat: String(STORE_FORMAT) },
          log
        ),
      },
      listen,
      opts.tls
    );
    // Started with the sources' stop, not after it (both only end input; the pipeline drains
    // after them): a source's stop and the streams' grace would otherwise add up under load.
    let serverStopped: Promise<void> | undefined;
    const stopServer = () => {
      hub.close();
      return (serverStopped ??= shutdown(server));
    };
    cleanup.push(stopServer);
    writeServerRecord(dataDir, { address, tls: opts.tls !== undefined });
    cleanup.push(() => hub.close());
    const setHealth = (status: 'SERVING' | 'NOT_SERVING') => {
      for (const name of HEALTH_SERVICES) health.setStatus(name, status);
    };
    cleanup.push(() => setHealth('NOT_SERVING'));

    const routes = new HttpRoutes();
    let stopping = false;
    routes.add({
      method: 'GET',
      path: '/metrics',
      role: 'viewer',
      handler: async (_req, res) => {
        const m = await metrics.scrape();
        res.writeHead(200, { 'content-type': m.contentType });
        res.end(m.body);
      },
    });
    routes.add({
      method: 'GET',
      path: '/healthz',
      role: 'public',
      handler: (_req, res) => {
        res.writeHead(stopping ? 503 : 200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(stopping ? 'stopping\n' : 'ok\n');
      },
    });
    routes.add({
      method: 'GET',
      path: '/version',
      role: 'viewer',
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ name: pkg.name, version: pkg.version, node: process.versions.node })
        );
      },
    });
    let http: RunningHttp | undefined;
    let webConsole: MountedConsole | undefined;
    if (opts.http !== undefined) {
      webConsole = mountConsole(routes, {
        registry,
        pipeline,
        hub,
        subscriberQuota,
        auth,
        alerts,
        ima: ima?.logs,
        imaAdmin: ima?.admin,
        attester: trust.attester,
        agentPublicKey: trust.agentPublicKey,
        log: log.child({ component: 'console' }),
        secure: opts.tls !== undefined,
        version: pkg.version,
        packageRoot: pkg.root,
        ...opts.console,
      });
      const mounted = webConsole;
      cleanup.push(() => mounted.close());
      const h = await startHttpServer(routes, opts.http, opts.tls, auth, log);
      http = h;
      cleanup.push(() => h.close());
      cleanup.push(() => void (stopping = true));
    }
    log(
      `listening on ${address} (${opts.tls ? (opts.tls.clientCa ? 'mTLS' : 'TLS') : 'insecure'})${http ? `, HTTP on ${http.address}` : ''}, data ${dataDir}, ${restored} namespace(s) restored`,
      { grpc: address, http: http?.address, dataDir, restored, version: pkg.version }
    );

    const submit: Submit = (ns, origin, events, decided) =>
      pipeline.submit(ns, origin, events, undefined, decided);
    const feeding: Promise<unknown>[] = [];
    // In-process sources' drops reach subscribers as exporters' do (deltas, once a second).
    const reported = new Map<InProcessSource, Record<string, number>>();
    const reportDrops = () => {
      for (const s of started) {
        const now = s.drops();
        const before = reported.get(s) ?? {};
        const delta: Record<string, number> = {};
        for (const [cause, n] of Object.entries(now)) delta[cause] = n - (before[cause] ?? 0);
        reported.set(s, { ...now });
        hub.reportSourceDrops(s.origin, delta);
      }
    };
    const dropTimer = setInterval(reportDrops, DROP_REPORT_MS);
    dropTimer.unref();
    cleanup.push(() => {
      clearInterval(dropTimer);
      reportDrops();
    });
    // On stop, sources and the server stop taking input together, then what they fed drains.
    cleanup.push(async () => {
      await Promise.all([...started.map((s) => s.stop()), stopServer()]);
      await Promise.all(feeding);
    });
    for (const s of sources) {
      await s.start();
      started.push(s);
      log(s.describe);
      feeding.push(
        feedSource(s.events, submit, s.origin, {
          failOpen: s.failOpen,
          // A Landlock denial by its domain first: its process may be gone, its creator is not.
          namespaceOf: (e) =>
            (e.landlock ? canisterRoutes.routeDomain(s.origin.host, e.landlock) : undefined) ??
            canisterRoutes.route(s.origin.host, e.cgroupId) ??
            e.namespace,
          durability: opts.durability,
        }).catch((err: unknown) => log(`source error: ${errorMessage(err)}`))
      );
    }
    const pool = fleet ? await fleet.join(registry, pipeline) : undefined;
    // Namespaces are handed back (or the last models published) while the pipeline still runs;
    // the connection closes later.
    if (fleet) cleanup.push(() => fleet.leave());
    setHealth('SERVING');
    const notifier = systemdNotifier(log, env);
    notifier.ready(`serving on ${address}`);
    cleanup.push(() => notifier.stopping());
    const sourcesEnded =
      sources.length === 0
        ? new Promise<string>(() => undefined)
        : Promise.all(feeding).then(() => 'source ended');
    return {
      address,
      adminToken: token,
      dataDir,
      registry,
      submit,
      store,
      canisterRoutes,
      labels,
      ima,
      aggregate: (digest) => trust.aggregate(digest),
      agentPublicKey: trust.agentPublicKey,
      httpAddress: http?.address,
      routes,
      console: webConsole,
      metrics,
      alerts,
      sourcesEnded,
      hub,
      stopped: () => pipeline.stopped,
      fleet: pool,
      shards,
      stop: close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function shutdown(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
