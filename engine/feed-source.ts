/**
 * Feeds an in-process event source (fanotify, audit, a simulation) into the pipeline without a
 * gRPC hop, answering held permission events with the verdict's action as soon as it exists
 * (decided from memory, persisted behind), or once it is persisted with durability `strict`, and
 * telling the source which allows it may remember (cacheableVerdict).
 * At most MAX_IN_FLIGHT submits wait for the pipeline: beyond that the source is not read, so its
 * own bounded queue fills and drops (counted there) instead of memory growing here.
 */
import type { TsemEventJson } from '../proto/kernel-json.js';
import type { Verdict } from './ns/namespace-types.js';
import type { LandlockDomainRef } from './canister/routes.js';
import type { EventOrigin, IncomingEvent, Outcome } from './ns/pipeline.js';

export interface FedEvent {
  readonly namespace: string;
  readonly event: TsemEventJson;
  /** The process's cgroup v2 id, when the source knows it (canister routing). */
  readonly cgroupId?: string;
  /** A Landlock denial's domain and its creator, when the source knows them (canister routing). */
  readonly landlock?: LandlockDomainRef;
  /** A held event: `cacheable` says the same event may be allowed again without asking. */
  readonly respond?: (allow: boolean, cacheable: boolean) => void;
  /** An event the source's verdict cache allowed already: told what the engine decided. */
  readonly onVerdict?: (allow: boolean, cacheable: boolean) => void;
}

/**
 * An allow a source may remember and give again for the same event (same task, credentials and
 * file) until the namespace's decisionEpoch moves: on-contour, allowed after every stage, by a
 * trusted task. Anything else (learned, off-contour, findings, untrusted tasks, denials) is asked
 * again every time.
 */
export function cacheableVerdict(v: Verdict): boolean {
  return v.kind === 'on-contour' && v.action === 'allow' && v.trust === 'trusted';
}

function cacheable(o: Outcome, failOpen: boolean): boolean {
  return o.verdict !== undefined && allows(o, failOpen) && cacheableVerdict(o.verdict);
}

/** Resolves once persisted; `decided` gets the verdicts before (see Pipeline.submit). */
export type Submit = (
  ns: string,
  origin: EventOrigin,
  events: readonly IncomingEvent[],
  decided?: (o: readonly Outcome[]) => void
) => Promise<Outcome[]>;

/**
 * When a held permission event is answered: `decided` as soon as its verdict exists (the batch is
 * written behind it), `strict` only once the batch holding its effects is persisted.
 */
export const DURABILITIES = ['decided', 'strict'] as const;
export type Durability = (typeof DURABILITIES)[number];

export interface FeedStats {
  events: number;
  denied: number;
  errors: number;
}

/** Events gathered per submit at most; a held permission event flushes at once. */
const MAX_BATCH = 256;
/** Submits waiting for the pipeline at most before the source is read again. */
const MAX_IN_FLIGHT = 8;

export interface FeedOptions {
  readonly onOutcome?: (o: Outcome, e: FedEvent) => void;
  /** The source's fail mode: how a held event the engine could not judge is answered (default open). */
  readonly failOpen?: boolean;
  /** Picks each event's namespace at submit (see feedSource); default: the event's own. */
  readonly namespaceOf?: (e: FedEvent) => string;
  /** When held events are answered (default `decided`). */
  readonly durability?: Durability;
}

/**
 * `namespaceOf` picks each event's namespace when it is submitted (a canister's cgroup route, else
 * the source's namespace); it runs in the same turn as the submit, so a canister that finishes
 * after it sees the event in its namespace.
 */
export async function feedSource(
  source: AsyncIterable<FedEvent>,
  submit: Submit,
  origin: EventOrigin,
  opts: FeedOptions = {}
): Promise<FeedStats> {
  const {
    onOutcome,
    failOpen = true,
    namespaceOf = (e: FedEvent) => e.namespace,
    durability = 'decided',
  } = opts;
  const stats: FeedStats = { events: 0, denied: 0, errors: 0 };
  let pending: FedEvent[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  let submits = 0;
  let room: (() => void) | undefined;
  const flush = () => {
    const batch = pending;
    pending = [];
    const byNs = new Map<string, FedEvent[]>();
    for (const e of batch) {
      const ns = namespaceOf(e);
      (byNs.get(ns) ?? byNs.set(ns, []).get(ns)!).push(e);
    }
    const run = Promise.all(
      [...byNs].map(async ([ns, evs]) => {
        // Each held event is answered once: by its decided verdict, else by its acknowledgement.
        const answered = new Array<boolean>(evs.length).fill(false);
        const answer = (outcomes: readonly Outcome[]) =>
          outcomes.forEach((o, i) => {
            const e = evs[i]!;
            if (answered[i] || !e.respond) return;
            answered[i] = true;
            e.respond(allows(o, failOpen), cacheable(o, failOpen));
          });
        const held = evs.some((e) => e.respond);
        let outcomes: Outcome[];
        try {
          outcomes = await submit(
            ns,
            origin,
            evs.map((e) => ({ obj: e.event })),
            held && durability === 'decided' ? answer : undefined
          );
        } catch (err) {
          outcomes = evs.map(() => ({ error: (err as Error).message }));
        }
        answer(outcomes);
        outcomes.forEach((o, i) => {
          const e = evs[i]!;
          stats.events++;
          if (!allows(o, true)) stats.denied++;
          if ('error' in o) stats.errors++;
          e.onVerdict?.(allows(o, failOpen), cacheable(o, failOpen));
          onOutcome?.(o, e);
        });
      })
    ).then(() => {
      submits--;
      room?.();
    });
    submits++;
    inFlight = inFlight.then(() => run);
  };
  let scheduled = false;
  for await (const e of source) {
    pending.push(e);
    if (e.respond || pending.length >= MAX_BATCH) flush();
    while (submits >= MAX_IN_FLIGHT) {
      await new Promise<void>((r) => (room = r));
      room = undefined;
    }
    if (pending.length === 0 || scheduled) continue;
    // Flush what gathered once the source pauses for I/O.
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (pending.length > 0) flush();
    });
  }
  if (pending.length > 0) flush();
  await inFlight;
  return stats;
}

/**
 * How a held event is answered: a verdict's action; a rejected event is denied where its namespace
 * enforces (fail closed), else answered by the source's fail mode (it was not judged).
 */
function allows(o: Outcome, failOpen: boolean): boolean {
  const deny = o.verdict?.action === 'deny' || ('error' in o && o.deny === true);
  return !deny && (o.verdict !== undefined || failOpen);
}
