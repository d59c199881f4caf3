/**
 * One shard of namespaces for the worker-scaling benchmark: the engine's own model, parse cache
 * and record encoding (processOne, drainChanges, changeOps), run wherever the shard lives (a
 * worker thread or the main thread). What it leaves out of the engine's path: the stages, the
 * fan-out, metrics and control work, so the figures are a ceiling for namespaces in workers.
 */
import { EventParseCache } from '../engine/event/parse-cache.js';
import { createNamespaceConfig, NamespaceModel } from '../engine/ns/namespace-model.js';
import { processOne } from '../engine/ns/process-event.js';
import type { StoreOp } from '../engine/ns/stage.js';
import { changeOps } from '../engine/store/store-records.js';

const ORIGIN = { host: 'bench', exporter: 'generator' };
/** Trajectory and forensics lines kept in memory once persisted (the engine's default). */
const LINE_TAIL = 256;

/** One batch's records, and how far the namespace's entries reach once they are written. */
export interface ShardBatch {
  readonly ns: string;
  readonly ops: StoreOp[];
  readonly trajectory: number;
  readonly forensics: number;
}

export class ShardCore {
  private readonly models = new Map<string, NamespaceModel>();
  private readonly cache = new EventParseCache(32);

  /** Models one batch of kernel lines in its namespace (created on first use); its records. */
  apply(ns: string, lines: readonly Buffer[]): ShardBatch {
    let m = this.models.get(ns);
    if (!m) this.models.set(ns, (m = new NamespaceModel(createNamespaceConfig({ id: ns }))));
    const now = Date.now();
    for (const line of lines) {
      const o = processOne(m, this.cache, { line }, [], ORIGIN, ORIGIN.host, now);
      if ('error' in o) throw new Error(`namespace ${ns}: ${o.error}`);
    }
    const cs = m.drainChanges();
    const ops = changeOps(m, cs);
    // Only a replaced model clears records, and nothing here replaces one.
    if (ops.some((op) => op.type === 'clear')) throw new Error(`namespace ${ns}: model replaced`);
    return {
      ns,
      ops: ops as StoreOp[],
      trajectory: cs.trajectoryStart + cs.trajectory.length,
      forensics: cs.forensicsStart + cs.forensics.length,
    };
  }

  /** The batch is written: older lines may leave memory, as the engine's write-behind does. */
  persisted(ns: string, trajectory: number, forensics: number): void {
    this.models.get(ns)?.releaseLines(trajectory, forensics, LINE_TAIL);
  }
}
