/**
 * A shard worker's side: the namespaces it decides, each a copy of the main thread's mirror kept
 * in step by deltas both ways. Events run exactly as they do in process (processRun: the parse
 * cache, the model, the exactly-once ledger), without the stages, which the main thread runs.
 * No I/O: shard-thread.ts connects it to its port.
 */
import { getHeapStatistics } from 'node:v8';
import { errorMessage } from '../../common/errors.js';
import { EventParseCache } from '../event/parse-cache.js';
import { NamespaceModel } from '../ns/namespace-model.js';
import type { IncomingEvent, Outcome } from '../ns/pipeline-work.js';
import { processRun } from '../ns/process-event.js';
import { asBuffer, reviveDelta } from './delta-wire.js';
import { encodeOutcomes } from './outcome-codec.js';
import type { WireOutcome } from '../ns/shard-port.js';
import type { FromShard, PackedEvents, RunRequest, ToShard } from './shard-messages.js';

/** The run's events as the pipeline takes them: packed lines become views of their buffer. */
export function unpack(p: PackedEvents): IncomingEvent[] {
  if (p.kind === 'mixed')
    return p.events.map((e): IncomingEvent => {
      if ('line' in e) return { line: asBuffer(e.line) };
      if ('structured' in e)
        return {
          structured: Object.assign({}, e.structured, {
            cellJson: asBuffer(e.structured.cellJson),
          }),
        };
      return e;
    });
  const data = asBuffer(p.data);
  const out: IncomingEvent[] = [];
  let from = 0;
  for (const end of p.ends) out.push({ line: data.subarray(from, (from = end)) });
  return out;
}

/** The outcome without its parsed event (the main thread parses it again where it needs it). */
function wire(o: Outcome): WireOutcome {
  if (o.verdict === undefined) return o;
  return o.records ? { verdict: o.verdict, records: o.records } : { verdict: o.verdict };
}

export class ShardHost {
  private readonly models = new Map<string, NamespaceModel>();
  /** Why a namespace's copy was given up (a delta that did not apply), for the next run's error. */
  private readonly faults = new Map<string, string>();
  private readonly caches = new Map<number, EventParseCache>();
  /** Runs handled: the work counter the worker's idle collections watch. */
  runs = 0;

  get namespaces(): number {
    return this.models.size;
  }

  /** One message from the main thread; the reply, for a run. */
  handle(m: ToShard): FromShard | undefined {
    switch (m.kind) {
      case 'adopt':
      case 'delta':
        try {
          const d = reviveDelta(m.delta);
          const ns = m.kind === 'adopt' ? new NamespaceModel(d.config) : this.models.get(m.ns);
          if (!ns) throw new Error('a delta for a namespace this worker does not hold');
          ns.applyDelta(d, false);
          this.models.set(m.ns, ns);
          this.faults.delete(m.ns);
        } catch (err) {
          this.models.delete(m.ns);
          this.faults.set(m.ns, errorMessage(err));
        }
        return undefined;
      case 'drop':
        this.models.delete(m.ns);
        this.faults.delete(m.ns);
        return undefined;
      case 'stats': {
        const h = getHeapStatistics();
        return {
          id: m.id,
          stats: {
            namespaces: this.models.size,
            heapUsedBytes: h.used_heap_size,
            heapTotalBytes: h.total_heap_size,
            externalBytes: h.external_memory,
          },
        };
      }
      case 'run':
        try {
          return this.run(m);
        } catch (err) {
          this.models.delete(m.ns);
          return { id: m.id, error: errorMessage(err) };
        }
    }
  }

  private run(m: RunRequest): FromShard {
    this.runs++;
    const ns = this.models.get(m.ns);
    if (!ns) {
      const why = this.faults.get(m.ns);
      return {
        id: m.id,
        error: `namespace ${m.ns}: no copy in this worker${why ? ` (${why})` : ''}`,
      };
    }
    let cache = this.caches.get(ns.alg.size);
    if (!cache) this.caches.set(ns.alg.size, (cache = new EventParseCache(ns.alg.size)));
    const events = unpack(m.events);
    const outcomes = processRun(
      ns,
      cache,
      events,
      [],
      m.origin,
      m.taskKey,
      m.now,
      m.position,
      true
    );
    const delta = ns.drainDelta();
    // The lines went out with the delta; the mirror and the store keep them.
    ns.releaseLines(Infinity, Infinity, 0);
    return { id: m.id, outcomes: encodeOutcomes(outcomes.map(wire), ns.alg.size), delta };
  }
}
