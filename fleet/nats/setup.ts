/**
 * The fleet's JetStream parts, made by the first engine that joins and reused by the others: the
 * events stream (file storage; when full it refuses new events, which exporters report and retry,
 * rather than dropping old ones nobody applied), the outputs stream (a feed: the oldest go first),
 * the lease, member and snapshot buckets and the object store for large snapshots.
 */
import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { EngineError, errorMessage } from '../../common/errors.js';
import {
  EVENTS_PREFIX,
  EVENTS_STREAM,
  HOST_MODELS_BUCKET,
  LABELS_BUCKET,
  LEASES_BUCKET,
  MEMBERS_BUCKET,
  OUTPUTS_PREFIX,
  OUTPUTS_STREAM,
  SNAPSHOT_OBJECTS,
  SNAPSHOTS_BUCKET,
} from './names.js';

export interface StreamLimits {
  /** Bytes the events stream holds at most (unapplied and not yet snapshotted events). */
  readonly eventsMaxBytes: number;
  /** Bytes of outputs kept (the oldest go first). */
  readonly outputsMaxBytes: number;
  /** How long a message id is remembered for de-duplication. */
  readonly duplicateWindowMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  eventsMaxBytes: 1024 ** 3,
  outputsMaxBytes: 256 * 1024 ** 2,
  duplicateWindowMs: 120_000,
};

export interface FleetStores {
  readonly leases: KV;
  readonly members: KV;
  readonly snapshots: KV;
  readonly labels: KV;
  /** Each host's own engine's namespace models (docs/fleet.md §7). */
  readonly hostModels: KV;
  readonly objects: ObjectStore;
}

const nanos = (ms: number) => ms * 1_000_000;

async function ensureStream(jsm: JetStreamManager, cfg: Partial<StreamConfig> & { name: string }) {
  try {
    await jsm.streams.info(cfg.name);
  } catch {
    try {
      await jsm.streams.add(cfg);
    } catch (err) {
      // Another engine made it meanwhile.
      await jsm.streams.info(cfg.name).catch(() => {
        throw err;
      });
    }
  }
}

export async function ensureFleet(
  nc: NatsConnection,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS
): Promise<FleetStores> {
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, {
    name: EVENTS_STREAM,
    subjects: [`${EVENTS_PREFIX}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    max_bytes: limits.eventsMaxBytes,
    duplicate_window: nanos(limits.duplicateWindowMs),
  });
  await ensureStream(jsm, {
    name: OUTPUTS_STREAM,
    subjects: [`${OUTPUTS_PREFIX}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_bytes: limits.outputsMaxBytes,
    duplicate_window: nanos(limits.duplicateWindowMs),
  });
  const kvm = new Kvm(nc);
  const bucket = async (name: string) => {
    try {
      return await kvm.create(name, { history: 1, storage: StorageType.File });
    } catch {
      return await kvm.open(name);
    }
  };
  const objm = new Objm(nc);
  let objects: ObjectStore;
  try {
    objects = await objm.create(SNAPSHOT_OBJECTS, { storage: StorageType.File });
  } catch {
    objects = await objm.open(SNAPSHOT_OBJECTS);
  }
  return {
    leases: await bucket(LEASES_BUCKET),
    members: await bucket(MEMBERS_BUCKET),
    snapshots: await bucket(SNAPSHOTS_BUCKET),
    labels: await bucket(LABELS_BUCKET),
    hostModels: await bucket(HOST_MODELS_BUCKET),
    objects,
  };
}

/**
 * The labelled models as a host's own engine reads them (docs/fleet.md §7): the buckets a pool
 * engine made, opened without creating anything (a host credential may not).
 */
export async function openLabels(
  nc: NatsConnection
): Promise<{ labels: KV; objects: ObjectStore }> {
  try {
    // No account or stream info (a host credential has no such API): bound by name only.
    const js = jetstream(nc, { checkAPI: false });
    return {
      labels: await new Kvm(js).open(LABELS_BUCKET),
      objects: await new Objm(js).open(SNAPSHOT_OBJECTS, false),
    };
  } catch (err) {
    throw new EngineError(
      'TSEM_UNAVAILABLE',
      `the fleet's labelled models (bucket ${LABELS_BUCKET}) cannot be opened: ${errorMessage(err)} (a pool engine makes them; a host credential needs read access, docs/fleet.md §6)`
    );
  }
}
