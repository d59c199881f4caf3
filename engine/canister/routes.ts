/**
 * Canister routes: the namespace that events of one host's cgroup go to while its canister runs
 * (`tsem run`, Control.RunCanister), and for a while after it finished, so that events still on
 * their way from an exporter land in the same namespace. cgroup ids are unique on a host until it
 * reboots and a removed cgroup holds no process, so a finished route can never capture events of
 * another workload. In memory only: a route lives as long as the RunCanister call that made it.
 */
import { EngineError } from '../../common/errors.js';

export interface CanisterRoute {
  readonly host: string;
  /** cgroup v2 id, decimal. */
  readonly cgroupId: string;
  readonly cgroupPath: string;
  readonly namespace: string;
  readonly label: string;
  readonly command: string;
  readonly startedMs: number;
  /** 0 while the canister runs. */
  finishedMs: number;
  /** Events routed by this cgroup. */
  events: number;
  /** When the last one was routed (startedMs before the first). */
  lastEventMs: number;
}

export type NewRoute = Omit<CanisterRoute, 'startedMs' | 'finishedMs' | 'events' | 'lastEventMs'>;

/** Finished routes keep routing for this long... */
export const FINISHED_ROUTE_MS = 60_000;
/** ...and this many at most (oldest dropped first). */
export const MAX_FINISHED_ROUTES = 1024;

const key = (host: string, cgroupId: string) => `${host}\u0000${cgroupId}`;

export class CanisterRoutes {
  private readonly live = new Map<string, CanisterRoute>();
  /** In finishing order. */
  private readonly finished = new Map<string, CanisterRoute>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly finishedMs = FINISHED_ROUTE_MS,
    private readonly maxFinished = MAX_FINISHED_ROUTES,
    /** Where events go changed (a route added, finished, expired or dropped). */
    private readonly changed: () => void = () => undefined
  ) {}

  /** Throws unless a canister may take this cgroup: a valid id that no running canister has. */
  check(host: string, cgroupId: string, cgroupPath = ''): void {
    if (!/^[1-9]\d{0,19}$/.test(cgroupId))
      throw new EngineError(
        'TSEM_INVALID_ARGUMENT',
        `cgroup_id: expected a cgroup v2 id (a positive number), got '${cgroupId}'`
      );
    const running = this.live.get(key(host, cgroupId));
    if (running)
      throw new EngineError(
        'TSEM_INVALID_ARGUMENT',
        `cgroup ${cgroupPath || cgroupId} on host ${host} already belongs to a running canister (namespace ${running.namespace})`
      );
  }

  /** Adds a live route; a cgroup can belong to one running canister only. */
  add(r: NewRoute): CanisterRoute {
    this.check(r.host, r.cgroupId, r.cgroupPath);
    const k = key(r.host, r.cgroupId);
    this.finished.delete(k);
    const now = this.now();
    const route: CanisterRoute = {
      ...r,
      startedMs: now,
      finishedMs: 0,
      events: 0,
      lastEventMs: now,
    };
    this.live.set(k, route);
    this.changed();
    return route;
  }

  /**
   * The namespace an event of `host`'s cgroup goes to (counted), or undefined when no canister
   * has that cgroup. Called for every event that carries a cgroup id: one map lookup when idle.
   */
  route(host: string, cgroupId: string | undefined): string | undefined {
    if (cgroupId === undefined || cgroupId === '' || cgroupId === '0') return undefined;
    if (this.live.size === 0 && this.finished.size === 0) return undefined;
    const k = key(host, cgroupId);
    const now = this.now();
    let r = this.live.get(k);
    if (!r) {
      r = this.finished.get(k);
      if (!r) return undefined;
      if (now - r.finishedMs > this.finishedMs) {
        this.finished.delete(k);
        this.changed();
        return undefined;
      }
    }
    r.events++;
    r.lastEventMs = now;
    return r.namespace;
  }

  /** Ends a live route: it keeps routing stragglers for a while, unless `forget` (its namespace is gone). */
  finish(route: CanisterRoute, forget = false): void {
    const k = key(route.host, route.cgroupId);
    if (this.live.get(k) !== route) return;
    this.live.delete(k);
    route.finishedMs = this.now();
    if (!forget) this.finished.set(k, route);
    this.changed();
    this.prune();
  }

  /** Drops the finished routes into `namespace` (it was deleted). */
  forgetNamespace(namespace: string): void {
    for (const [k, r] of this.finished) if (r.namespace === namespace) this.finished.delete(k);
    this.changed();
  }

  /** Events routed into `namespace` by the routes still known (running or recently finished). */
  routedInto(namespace: string): number {
    let n = 0;
    for (const r of [...this.live.values(), ...this.finished.values()])
      if (r.namespace === namespace) n += r.events;
    return n;
  }

  /** Running canisters whose events go to `namespace`. */
  liveFor(namespace: string): number {
    let n = 0;
    for (const r of this.live.values()) if (r.namespace === namespace) n++;
    return n;
  }

  /** Running canisters, then the recently finished ones. */
  list(): CanisterRoute[] {
    this.prune();
    return [...this.live.values(), ...[...this.finished.values()].reverse()];
  }

  private prune(): void {
    const now = this.now();
    for (const [k, r] of this.finished) {
      if (this.finished.size <= this.maxFinished && now - r.finishedMs <= this.finishedMs) break;
      this.finished.delete(k);
      this.changed();
    }
  }
}
