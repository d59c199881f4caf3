/**
 * Everything `tsem serve` can be told, as one declarative object: what the command line fills
 * today and what a configuration file will fill later. startEngine() builds the whole program
 * from it. Functions appear only as test seams (log sink, extra stages, IMA file readers).
 */
import type { LineLog, LogFormat, LogLevel } from '../common/log.js';
import type { ConsoleOptions } from '../console/server/console-deps.js';
import type { Backoff } from '../engine/alert/deliverer.js';
import type { Durability } from '../engine/feed-source.js';
import type { OutputSpec } from '../engine/alert/output-spec.js';
import type { RateLimit } from '../engine/incident/rate-limit.js';
import type { Retention } from '../engine/store/alert-store.js';
import type { FileReaders } from '../engine/ima-stage/ima-stage.js';
import type { Dialect } from '../engine/measure/mapper.js';
import type { PipelineStage } from '../engine/ns/stage.js';
import type { TlsFiles } from '../engine/server/grpc-server.js';
import type { SourceOptions } from '../exporter/sources.js';
import type { NatsOptions } from '../fleet/nats/connect.js';
import type { PoolOptions } from '../fleet/pool/pool.js';
import type { Limits } from '../proto/limits.js';

export const DEFAULT_LISTEN = '127.0.0.1:50551';

export interface ImaOptions {
  /** Host IMA policy file; default the shipped tcb policy. */
  readonly policyFile?: string;
  /** Policy text instead of a file (names itself `policySource` in errors). */
  readonly policy?: string;
  readonly policySource?: string;
  /** Appraisal keys: X.509 certificates or PEM public keys. */
  readonly keyFiles?: readonly string[];
  /** Hash and read security.ima of the files events name on this machine. Default: only when
   * an in-process kernel source runs (events from other machines name files this host lacks). */
  readonly localFiles?: boolean;
  /** Test seam: replaces the local file readers. */
  readonly readers?: FileReaders;
}

export interface AgentOptions {
  /** The simulated platform's secret binding the agent's sealed state (default: per process). */
  readonly platformSecretFile?: string;
  /** Writes the agent's public key here (for `tsem attest verify --pubkey`). */
  readonly publicKeyOut?: string;
}

/** Incidents and where their alerts go. Incidents are always kept; outputs are optional. */
export interface AlertOptions {
  readonly outputs?: readonly OutputSpec[];
  /** An incident with no event for this long closes (default 10 minutes). */
  readonly quietMs?: number;
  /** Changes of an open incident go out at most this often (default 30 s). */
  readonly updateIntervalMs?: number;
  /** Incident openings per namespace and severity (default 10 at once, then 10 a minute). */
  readonly rateLimit?: RateLimit;
  /** The alert log's retention (default 30 days, 100,000 records). */
  readonly retention?: Retention;
  /** Test seam: how often quiet incidents are closed (default 1 s). */
  readonly sweepMs?: number;
  /** Test seam: delivery retry backoff (default 1 s doubling to 60 s). */
  readonly backoff?: Backoff;
}

/** An in-process event source: a simulated workload, or a kernel source on this host. */
export type SourceSpec =
  | {
      readonly kind: 'sim';
      readonly scenario?: string;
      readonly rate?: number;
      readonly namespace?: string;
    }
  | ({ readonly kind: 'fanotify' | 'audit' } & SourceOptions);

export interface EngineOptions {
  /** host:port; loopback by default. Port 0 picks a free port. */
  readonly listen?: string;
  /** LevelDB data directory (default: defaultDataDir()). */
  readonly dataDir?: string;
  /** Store key file: namespace records are MAC-protected against offline edits and refused at
   * start when edited (engine/store/store-key.ts). Absent: no MAC (`tsem serve` gives its default). */
  readonly storeKeyFile?: string;
  /** Create namespaces named by ingested events (default true). */
  readonly autoCreate?: boolean;
  /** Default namespace digest (default sha256). */
  readonly digest?: string;
  readonly dialect?: Dialect;
  readonly tls?: TlsFiles;
  /** Allow listening off loopback without TLS (tokens in plain text). Default: refuse to start. */
  readonly insecure?: boolean;
  /** Model signing keys: Ed25519 public key files (tsem model keygen) or RSA public keys. */
  readonly modelKeyFiles?: readonly string[];
  /** Every namespace loads only models signed by a model key (TSEM's model lock). */
  readonly requireSignedModels?: boolean;
  /** JSON identities file (see engine/server/auth.ts). */
  readonly authFile?: string;
  /** IMA per namespace on file events; off when absent. */
  readonly ima?: ImaOptions;
  /** `swtpm:HOST:PORT`, `mssim:HOST:PORT` or a device such as /dev/tpmrm0. */
  readonly tpm?: string;
  /** Persistent handle of the attestation key (default 0x81010010, docs/attestation.md §2). */
  readonly akHandle?: number;
  /** The namespace whose new points extend the model PCR (default root). */
  readonly rootNamespace?: string;
  /** The trusted modeling agent (attestation); off when absent. */
  readonly agent?: AgentOptions;
  /** How long a finished canister's (`tsem run`) late events are still routed to its namespace;
   * then a namespace created for the run that got none is deleted. Default 60 000 ms. */
  readonly canisterGraceMs?: number;
  /** In-process event sources, fed without a gRPC hop. */
  readonly sources?: readonly SourceSpec[];
  /** Per-identity limits (proto/limits.ts DEFAULT_LIMITS gives each default). */
  readonly limits?: Partial<Limits>;
  /** Report an event loop stalled this long (ms; default 2000; 0 turns the watchdog off). */
  readonly loopStallMs?: number;
  /** fsync every store write (writes are group-committed): acknowledged survives power loss. */
  readonly sync?: boolean;
  /** Held permission events (in-process sources, and gRPC exporters asking for early verdicts):
   * answered when decided (default, persisted behind) or, with `strict`, once persisted. */
  readonly durability?: Durability;
  /** After a burst of ingest, run one full collection once it has been quiet for 2 s, so the
   * process gives back the memory the burst took (common/idle-memory.ts). Default true. */
  readonly idleGc?: boolean;
  /** Worker threads deciding the namespaces' events (engine/shard): each namespace belongs to one,
   * so N busy namespaces use up to N cores. Default 0: the main thread decides. Not with `agent`
   * (its mirror follows each namespace event by event). */
  readonly workers?: number;
  /** Trajectory and forensics entries per namespace whose lines stay in memory once persisted
   * (default 256); older lines are read from the store when asked for. */
  readonly lineTail?: number;
  /** Start even though the store lost acknowledged data (corruption found at start): go on with
   * what it holds, saying what was lost. */
  readonly salvage?: boolean;
  /** Register as a tsem daemon in this registry directory (exporter/host/daemon-registry.ts), so
   * that the host's sources exclude this engine; false: do not. Default: the host's (root only). */
  readonly daemonRegistry?: string | false;
  /** Test seam: pipeline stages run after the built-in ones. */
  readonly stages?: readonly PipelineStage[];
  /** HTTP listener (metrics, health, the console): host:port; off when absent. */
  readonly http?: string;
  /** Web console settings (sessions) and test seams; the console is on with `http`. */
  readonly console?: ConsoleOptions;
  /** Incidents, rate limits and alert outputs. */
  readonly alerts?: AlertOptions;
  /** Log level and form when `log` is not given (default info, JSON). */
  readonly logging?: { readonly level?: LogLevel; readonly format?: LogFormat };
  /** Where secrets come from (webhook signing keys); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Test seam: where log lines go (default stderr). */
  readonly log?: LineLog;
  /** Join a fleet on NATS JetStream (docs/fleet.md): own namespaces of the events stream. */
  readonly fleet?: FleetOptions;
}

export interface FleetOptions {
  readonly nats: NatsOptions;
  /** Lease, heartbeat and snapshot times, the engine's pool id (defaults: fleet/pool/pool.ts). */
  readonly pool?: Partial<PoolOptions>;
  /**
   * A host's own engine (docs/fleet.md §7): do not join the pool; decide locally and publish this
   * engine's verdicts, incidents and namespace models to the fleet as `host`.
   */
  readonly publish?: { readonly host: string; readonly modelsMs?: number };
}
