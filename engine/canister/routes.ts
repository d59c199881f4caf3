/**
 * Canister routes: the namespace that events of one host's cgroup go to while its canister runs
 * (`tsem run`, Control.RunCanister), and for a while after it finished, so that events still on
 * their way from an exporter land in the same namespace. cgroup ids are unique on a host until it
 * reboots and a removed cgroup holds no process, so a finished route can never capture events of
 * another workload. In memory only: a route lives as long as the RunCanister call that made it.
 *
 * A Landlock denial is routed by its domain as well (docs/landlock.md §5): the kernel names the
 * domain's creator (the workload's first process, which restricted itself) in its LANDLOCK_DOMAIN
 * record, and the launcher reports that process (pid and start time) when it forks it. The first
 * denial of a domain whose creator is a canister's ties the domain to the canister; every later one
 * follows it, even when the denying process is gone before its records are read.
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
  /** The workload's first process, once the launcher reported it: its Landlock domains' creator. */
  creator?: LandlockCreator;
  /** Landlock domains whose denials this route takes (keys of the domain index). */
  readonly domains: string[];
}

/** A process as the kernel's audit records name it, and its start time to tell a reused pid apart. */
export interface LandlockCreator {
  readonly pid: number;
  /** /proc/PID/stat field 22; undefined when it could not be read (the process was reaped). */
  readonly start?: string;
}

/** A Landlock denial's domain (LANDLOCK_ACCESS domain=ID), and its creator when the source knows it. */
export interface LandlockDomainRef {
  readonly domain: string;
  readonly creator?: LandlockCreator;
}

export type NewRoute = Omit<
  CanisterRoute,
  'startedMs' | 'finishedMs' | 'events' | 'lastEventMs' | 'creator' | 'domains'
>;

/** Finished routes keep routing for this long... */
export const FINISHED_ROUTE_MS = 60_000;
/** ...and this many at most (oldest dropped first). */
export const MAX_FINISHED_ROUTES = 1024;
/** Landlock domains remembered at most (oldest dropped first); each lives as long as its route. */
export const MAX_LANDLOCK_DOMAINS = 4096;

const key = (host: string, cgroupId: string) => `${host}\u0000${cgroupId}`;

export class CanisterRoutes {
  private readonly live = new Map<string, CanisterRoute>();
  /** In finishing order. */
  private readonly finished = new Map<string, CanisterRoute>();
  /** host + Landlock domain id → the route that takes its denials, oldest first. */
  private readonly domains = new Map<string, CanisterRoute>();
  /** Denials whose domain no known canister created (routed by cgroup or not at all). */
  unknownDomains = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly finishedMs = FINISHED_ROUTE_MS,
    private readonly maxFinished = MAX_FINISHED_ROUTES,
    /** Where events go changed (a route added, finished, expired or dropped). */
    private readonly changed: () => void = () => undefined,
    private readonly maxDomains = MAX_LANDLOCK_DOMAINS
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
    const old = this.finished.get(k);
    if (old) this.drop(this.finished, k, old);
    const now = this.now();
    const route: CanisterRoute = {
      ...r,
      startedMs: now,
      finishedMs: 0,
      events: 0,
      lastEventMs: now,
      domains: [],
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
        this.drop(this.finished, k, r);
        this.changed();
        return undefined;
      }
    }
    r.events++;
    r.lastEventMs = now;
    return r.namespace;
  }

  /** The workload's first process of a live route, as its launcher reported it. */
  setCreator(route: CanisterRoute, creator: LandlockCreator): void {
    if (this.live.get(key(route.host, route.cgroupId)) === route) route.creator = creator;
  }

  /**
   * The namespace a Landlock denial of `host` goes to by its domain (counted on the route), or
   * undefined: a domain tied to a running or recently finished canister, else (first denial) one
   * whose creator is a canister's workload process with the same start time when both are known.
   */
  routeDomain(host: string, ref: LandlockDomainRef): string | undefined {
    if (this.live.size === 0 && this.finished.size === 0) return undefined;
    const dk = key(host, ref.domain);
    let r = this.domains.get(dk);
    if (r && !this.known(r)) {
      this.domains.delete(dk);
      r = undefined;
    }
    if (!r && ref.creator) {
      r = this.creatorRoute(host, ref.creator);
      if (r) {
        this.domains.set(dk, r);
        r.domains.push(dk);
        if (this.domains.size > this.maxDomains) {
          const [oldest, or] = this.domains.entries().next().value!;
          this.domains.delete(oldest);
          or.domains.splice(or.domains.indexOf(oldest), 1);
        }
      }
    }
    if (!r) {
      this.unknownDomains++;
      return undefined;
    }
    const now = this.now();
    r.events++;
    r.lastEventMs = now;
    return r.namespace;
  }

  /** Landlock domains tied to canisters now. */
  get domainCount(): number {
    return this.domains.size;
  }

  /** A running route (first) or one finished within the grace period whose creator this is. */
  private creatorRoute(host: string, c: LandlockCreator): CanisterRoute | undefined {
    const same = (r: CanisterRoute) =>
      r.host === host &&
      r.creator?.pid === c.pid &&
      (c.start === undefined || r.creator.start === undefined || c.start === r.creator.start);
    for (const r of this.live.values()) if (same(r)) return r;
    let found: CanisterRoute | undefined;
    for (const r of this.finished.values()) if (same(r) && this.known(r)) found = r;
    return found;
  }

  /** Still routing: running, or finished within the grace period. */
  private known(r: CanisterRoute): boolean {
    const k = key(r.host, r.cgroupId);
    if (this.live.get(k) === r) return true;
    return this.finished.get(k) === r && this.now() - r.finishedMs <= this.finishedMs;
  }

  /** Forgets a route and the Landlock domains it took. */
  private drop(from: Map<string, CanisterRoute>, k: string, r: CanisterRoute): void {
    from.delete(k);
    for (const d of r.domains) if (this.domains.get(d) === r) this.domains.delete(d);
    r.domains.length = 0;
  }

  /** Ends a live route: it keeps routing stragglers for a while, unless `forget` (its namespace is gone). */
  finish(route: CanisterRoute, forget = false): void {
    const k = key(route.host, route.cgroupId);
    if (this.live.get(k) !== route) return;
    this.live.delete(k);
    route.finishedMs = this.now();
    if (!forget) this.finished.set(k, route);
    else this.drop(this.live, k, route);
    this.changed();
    this.prune();
  }

  /** Drops the finished routes into `namespace` (it was deleted). */
  forgetNamespace(namespace: string): void {
    for (const [k, r] of this.finished)
      if (r.namespace === namespace) this.drop(this.finished, k, r);
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
      this.drop(this.finished, k, r);
      this.changed();
    }
  }
}
