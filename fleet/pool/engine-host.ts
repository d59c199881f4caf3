/**
 * The engine as the pool sees it: install a namespace from its fleet snapshot, apply a stream
 * message's events through the pipeline (ordered per namespace, persisted before they resolve),
 * snapshot it in the namespace's order, and let it go. The pipeline and registry are the engine's
 * own: a pool member models exactly as a lone engine does.
 */
import type { EventOrigin, IncomingEvent, Outcome, Pipeline } from '../../engine/ns/pipeline.js';
import type { NamespaceRegistry } from '../../engine/ns/registry.js';
import { wholeSnapshot } from '../../engine/ns/entry-lines.js';
import { type NamespaceSnapshot, restoreNamespace } from '../../engine/ns/namespace-snapshot.js';

export interface NamespaceHost {
  /** Replaces any local copy with the snapshot's state, or a new namespace when there is none. */
  install(name: string, state: NamespaceSnapshot | undefined): Promise<void>;
  /** Resolves once the events' effects are persisted (the engine's store). */
  apply(name: string, origin: EventOrigin, events: readonly IncomingEvent[]): Promise<Outcome[]>;
  /** The namespace after every event applied before this call. */
  snapshot(name: string): Promise<NamespaceSnapshot>;
  /** Drops the local copy (the fleet holds the state). */
  evict(name: string): Promise<void>;
  /** Names of the namespaces the engine holds now. */
  names(): string[];
}

export function engineHost(registry: NamespaceRegistry, pipeline: Pipeline): NamespaceHost {
  return {
    async install(name, state) {
      if (state) await registry.adopt(restoreNamespace(state));
      else {
        await registry.evict(name);
        await registry.create({ id: name });
      }
    },
    apply: (name, origin, events) => pipeline.submit(name, origin, events),
    snapshot: (name) => wholeSnapshot((snap) => pipeline.control(name, snap), registry.store),
    evict: (name) => registry.evict(name),
    names: () => registry.list().map((ns) => ns.id),
  };
}
