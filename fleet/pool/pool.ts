/**
 * An engine's membership in the pool (docs/fleet.md §3): it heartbeats in the members bucket,
 * watches the leases, and owns each namespace it holds the lease of through a NamespaceRunner.
 *
 * Who takes a free or lapsed namespace: the live member that rendezvous hashing prefers (highest
 * hash of namespace and engine id), so namespaces spread over the engines and only those of a dead
 * engine move; any member takes it once it has been free for twice the lease time (the preferred
 * one may be gone too). A member that holds a namespace another live member is preferred for
 * hands it over (snapshot, then release), one at a time: a new engine gets its share.
 * Exactly one engine owns a namespace because leases and snapshots are compare-and-set writes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { errorMessage } from '../../common/errors.js';
import { EVENTS_STREAM, EVENTS_PREFIX, parseEventSubject } from '../nats/names.js';
import type { FleetStores, StreamLimits } from '../nats/setup.js';
import type { NamespaceHost } from './engine-host.js';
import { casDelete, casOwner, KeyWatch, now } from './lease-table.js';
import { NamespaceRunner, type RunnerOptions } from './namespace-runner.js';
import { OutputPublisher, type OutputStats } from './outputs.js';
import { SnapshotStore } from './snapshot-store.js';
import { Reconnects } from '../nats/reconnect.js';

export interface PoolOptions extends RunnerOptions {
  /** This engine's name in the pool (default: a new random id each start). */
  readonly engineId?: string;
  /** A lease not renewed for this long has lapsed. */
  readonly leaseMs: number;
  /** How often leases and membership are renewed (well under leaseMs). */
  readonly heartbeatMs: number;
  /** The streams' limits, set by the engine that makes them (docs/fleet.md §2). */
  readonly limits?: StreamLimits;
}

export const DEFAULT_POOL_OPTIONS: PoolOptions = {
  leaseMs: 3000,
  heartbeatMs: 750,
  snapshotMs: 1000,
  window: 32,
  keepApplied: false,
};

interface Held {
  revision: number;
  /** Last successful renewal (local clock). */
  renewedAt: number;
  n: number;
  runner?: NamespaceRunner;
  /** Being started or stopped: not renewed, not handed over again. */
  busy: boolean;
  /** When this engine took it (local clock). */
  takenAt: number;
}

export interface PoolStatus {
  readonly engineId: string;
  readonly owned: string[];
  readonly members: string[];
  readonly outputs: OutputStats;
  readonly takeovers: number;
}

export function rendezvous(ns: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = '';
  for (const m of members) {
    const score = createHash('sha256').update(`${ns}\0${m}`).digest('hex');
    if (best === undefined || score > bestScore) {
      best = m;
      bestScore = score;
    }
  }
  return best;
}

export class Pool {
  readonly engineId: string;
  private readonly held = new Map<string, Held>();
  private readonly known = new Set<string>();
  private readonly knownAt = new Map<string, number>();
  private leases!: KeyWatch;
  private members!: KeyWatch;
  private snapshots!: SnapshotStore;
  private outputs!: OutputPublisher;
  private jsm!: JetStreamManager;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopped = false;
  private lastBeat = 0;
  private lastDiscovery = 0;
  private memberN = 0;
  private takeovers = 0;
  private stopReconnect?: () => void;
  private reconnects!: Reconnects;

  constructor(
    private readonly nc: NatsConnection,
    private readonly stores: FleetStores,
    private readonly host: NamespaceHost,
    private readonly o: PoolOptions,
    private readonly log: (msg: string) => void
  ) {
    this.engineId = o.engineId ?? randomUUID();
  }

  async start(): Promise<void> {
    this.jsm = await jetstreamManager(this.nc);
    this.snapshots = new SnapshotStore(this.stores.snapshots, this.stores.objects);
    this.outputs = new OutputPublisher(jetstream(this.nc), this.log);
    this.leases = new KeyWatch(this.stores.leases);
    this.members = new KeyWatch(this.stores.members);
    await this.leases.start();
    await this.members.start();
    this.reconnects = new Reconnects(this.nc);
    this.stopReconnect = this.reconnects.on(() => {
      void this.leases.restart();
      void this.members.restart();
    });
    // Copies of fleet namespaces a previous run left in the local store are stale: the fleet
    // snapshot is the namespace's state, taken when (and if) this engine gets its lease.
    const fleet = new Set(await this.snapshots.namespaces());
    for (const name of this.host.names()) if (fleet.has(name)) await this.host.evict(name);
    await this.beat();
    this.timer = setInterval(
      () => void this.tick(),
      Math.max(50, Math.floor(this.o.heartbeatMs / 3))
    );
    this.log(`fleet: joined the pool as ${this.engineId}`);
  }

  status(): PoolStatus {
    return {
      engineId: this.engineId,
      owned: [...this.held.entries()]
        .filter(([, h]) => h.runner)
        .map(([n]) => n)
        .sort(),
      members: this.liveMembers(),
      outputs: { ...this.outputs.stats },
      takeovers: this.takeovers,
    };
  }

  /** Events applied by this engine's runners since they started (benchmark). */
  appliedEvents(): number {
    let n = 0;
    for (const h of this.held.values()) n += h.runner?.events ?? 0;
    return n;
  }

  private liveMembers(): string[] {
    const t = now();
    return this.members
      .all()
      .filter((m) => !m.deleted && (m.name === this.engineId || t - m.seenAt < this.o.leaseMs))
      .map((m) => m.name)
      .sort();
  }

  private async beat(): Promise<void> {
    this.lastBeat = now();
    await this.stores.members.put(
      this.engineId,
      JSON.stringify({ owner: this.engineId, n: ++this.memberN })
    );
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const t = now();
      if (t - this.lastBeat >= this.o.heartbeatMs) {
        await this.beat().catch(() => undefined);
        await this.renew();
      }
      if (t - this.lastDiscovery >= 1000) await this.discover();
      await this.acquire();
      await this.rebalance();
    } catch (err) {
      this.log(`fleet: ${errorMessage(err)}`);
    } finally {
      this.ticking = false;
    }
  }

  /** Namespaces with events in the stream or a snapshot. */
  private async discover(): Promise<void> {
    this.lastDiscovery = now();
    const info = await this.jsm.streams.info(EVENTS_STREAM, {
      subjects_filter: `${EVENTS_PREFIX}.>`,
    });
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const p = parseEventSubject(subject);
      if (p) this.known.add(p.ns);
    }
    for (const k of this.leases.all()) this.known.add(k.name);
    for (const ns of await this.snapshots.namespaces()) this.known.add(ns);
  }

  private async renew(): Promise<void> {
    for (const [ns, h] of this.held) {
      if (h.busy) continue;
      const r = await casOwner(this.stores.leases, ns, this.engineId, h.revision, false, ++h.n);
      if (r.ok) {
        h.revision = r.revision;
        h.renewedAt = now();
      } else if (r.lost || now() - h.renewedAt >= this.o.leaseMs) {
        // Taken by another, or not renewed for a lease time: it may be, so stop at once.
        await this.letGo(
          ns,
          h,
          false,
          r.lost ? 'lease taken by another engine' : 'lease not renewed in time'
        );
      }
    }
  }

  private async acquire(): Promise<void> {
    const live = this.liveMembers();
    const t = now();
    for (const ns of this.known) {
      if (this.held.has(ns)) continue;
      const lease = this.leases.get(ns);
      // How long it has been free: never leased (since first seen), released (since the
      // delete), or not renewed (since the lease time ran out).
      if (!this.knownAt.has(ns)) this.knownAt.set(ns, t);
      const lapsedFor = !lease
        ? t - this.knownAt.get(ns)!
        : lease.deleted
          ? t - lease.seenAt
          : t - lease.seenAt - this.o.leaseMs;
      if (lapsedFor < 0) continue;
      const candidates = live.filter((m) => m !== lease?.owner || m === this.engineId);
      const preferred = rendezvous(ns, candidates);
      if (preferred !== this.engineId && lapsedFor < this.o.leaseMs) continue;
      const r = await casOwner(
        this.stores.leases,
        ns,
        this.engineId,
        lease?.revision ?? 0,
        lease?.deleted ?? false,
        1
      );
      if (!r.ok) continue;
      const h: Held = { revision: r.revision, renewedAt: now(), n: 1, busy: true, takenAt: now() };
      this.held.set(ns, h);
      await this.startRunner(ns, h);
    }
  }

  private async startRunner(ns: string, h: Held): Promise<void> {
    const runner = new NamespaceRunner(
      ns,
      {
        js: jetstream(this.nc),
        jsm: this.jsm,
        reconnects: this.reconnects,
        snapshots: this.snapshots,
        host: this.host,
        outputs: this.outputs,
        engineId: this.engineId,
        log: this.log,
        failed: (name, why) => {
          const held = this.held.get(name);
          if (held && held.runner === runner) void this.letGo(name, held, false, why);
        },
      },
      this.o
    );
    try {
      await runner.start();
      h.runner = runner;
      this.takeovers++;
    } catch (err) {
      this.log(`fleet: namespace ${ns}: cannot take over: ${errorMessage(err)}`);
      this.held.delete(ns);
      await casDelete(this.stores.leases, ns, h.revision);
      await this.host.evict(ns).catch(() => undefined);
    } finally {
      h.busy = false;
    }
  }

  /** Hands one namespace to the live member preferred for it, if that is not this engine. */
  private async rebalance(): Promise<void> {
    const live = this.liveMembers();
    const t = now();
    // Only members seen for a lease time count: a flapping member does not pull namespaces.
    const settled = live.filter((m) => {
      const v = this.members.get(m);
      return (
        m === this.engineId ||
        (v !== undefined && t - (this.firstSeen.get(m) ?? t) >= this.o.leaseMs)
      );
    });
    for (const m of live) if (!this.firstSeen.has(m)) this.firstSeen.set(m, t);
    for (const [ns, h] of this.held) {
      if (h.busy || !h.runner) continue;
      // Kept a lease time after a takeover: a dead owner's heartbeat may look fresh a little
      // longer than its lease, and handing the namespace back to it would only delay the failover.
      if (t - h.takenAt < this.o.leaseMs) continue;
      if (rendezvous(ns, settled) === this.engineId) continue;
      await this.letGo(ns, h, true, 'handed over to its preferred engine');
      return;
    }
  }

  private readonly firstSeen = new Map<string, number>();

  private async letGo(ns: string, h: Held, handOver: boolean, why: string): Promise<void> {
    if (h.busy) return;
    h.busy = true;
    this.log(`fleet: namespace ${ns}: letting go (${why})`);
    try {
      await h.runner?.stop(handOver);
    } catch (err) {
      this.log(`fleet: namespace ${ns}: stopping: ${errorMessage(err)}`);
    }
    this.held.delete(ns);
    if (handOver) await casDelete(this.stores.leases, ns, h.revision);
  }

  /** Leaves the pool: every namespace is snapshotted and released for the others. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.stopReconnect?.();
    while (this.ticking) await new Promise((r) => setTimeout(r, 10));
    for (const [ns, h] of [...this.held]) {
      h.busy = false;
      await this.letGo(ns, h, true, 'engine stopping');
    }
    await this.stores.members.delete(this.engineId).catch(() => undefined);
    this.leases.stop();
    this.members.stop();
    await this.outputs.drain();
  }
}
