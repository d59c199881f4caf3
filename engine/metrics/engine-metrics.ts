/**
 * Prometheus metrics (prom-client) in the engine's own registry. Counters that other parts keep
 * (subscriber drops, alert outputs, kernel source counters) are read at scrape time through
 * collect callbacks, so nothing on the event path does more than an increment. The namespace label
 * is capped (MAX_NAMESPACE_LABELS distinct values, the rest `_other`) to bound the series count.
 * docs/operations.md §7 lists every name.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NamespaceModel } from '../ns/namespace-model.js';
import type { Outcome, PipelineObserver } from '../ns/pipeline.js';

export const MAX_NAMESPACE_LABELS = 64;
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Stat names of sources that are levels, not running totals. */
const SOURCE_GAUGES = new Set([
  'backlog',
  'backlogLimit',
  'pending',
  'queued',
  'queueDepth',
  'cacheEntries',
]);

export interface Collectors {
  namespaces?(): readonly NamespaceModel[];
  subscribers?(): { count: number; dropped: number };
  outputs?(): readonly {
    name: string;
    delivered: number;
    retries: number;
    dropped: Readonly<Record<string, number>>;
    pending: number;
    lastSuccessMs: number;
    disabled: boolean;
  }[];
  incidents?(): {
    open: readonly { severity: string }[];
    records: Readonly<Record<string, number>>;
  };
  sources?(): readonly { kind: string; stats: Readonly<Record<string, number>> }[];
  /** Ingest streams whose exporter keeps a verdict cache, and the changes that emptied caches. */
  verdictCache?(): { streams: number; changes: number };
  /** Worker threads deciding namespaces' events (serve --workers): each one's figures. */
  shards?(): Promise<
    readonly {
      readonly worker: number;
      readonly namespaces: number;
      readonly heapTotalBytes: number;
      readonly externalBytes: number;
    }[]
  >;
  /** Worker threads replaced after a failure. */
  shardRestarts?(): number;
}

function setCounter<T extends string>(
  c: Counter<T>,
  rows: readonly [Partial<Record<T, string>>, number][]
): void {
  c.reset();
  for (const [labels, v] of rows) if (v > 0) c.inc(labels as Record<T, string>, v);
}

export class EngineMetrics {
  readonly registry = new Registry();
  private readonly nsLabels = new Set<string>();
  private readonly events: Counter<'namespace'>;
  private readonly verdicts: Counter<'namespace' | 'kind' | 'action'>;
  private readonly rejected: Counter<'namespace'>;
  private readonly persist: Histogram;
  private readonly decide: Histogram;
  private readonly pendingGauge: Gauge;
  private pending = 0;

  constructor(version: string, collectors: Collectors = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'tsem_build_info',
      help: 'The engine version (value 1)',
      labelNames: ['version', 'node'],
      registers,
    }).set({ version, node: process.versions.node }, 1);
    this.events = new Counter({
      name: 'tsem_events_total',
      help: 'Events processed, by namespace',
      labelNames: ['namespace'],
      registers,
    });
    this.verdicts = new Counter({
      name: 'tsem_verdicts_total',
      help: 'Verdicts by namespace, kind (learned, on-contour, off-contour, …) and action',
      labelNames: ['namespace', 'kind', 'action'],
      registers,
    });
    this.rejected = new Counter({
      name: 'tsem_events_rejected_total',
      help: 'Events the engine could not process (malformed), by namespace',
      labelNames: ['namespace'],
      registers,
    });
    this.persist = new Histogram({
      name: 'tsem_persist_duration_seconds',
      help: 'Duration of one atomic LevelDB batch write',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.decide = new Histogram({
      name: 'tsem_decision_duration_seconds',
      help: 'From a batch entering the pipeline to its verdicts being acknowledged',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.pendingGauge = new Gauge({
      name: 'tsem_pipeline_pending_batches',
      help: 'Batches submitted to the pipeline and not yet acknowledged',
      registers,
    });
    const label = (ns: string) => this.label(ns);
    new Gauge({
      name: 'tsem_namespaces',
      help: 'Namespaces on this engine',
      registers,
      collect() {
        this.set(collectors.namespaces?.().length ?? 0);
      },
    });
    new Gauge({
      name: 'tsem_untrusted_tasks',
      help: 'Tasks marked untrusted, by namespace',
      labelNames: ['namespace'],
      registers,
      collect() {
        this.reset();
        for (const ns of collectors.namespaces?.() ?? [])
          this.inc({ namespace: label(ns.id) }, ns.untrustedTaskCount());
      },
    });
    new Gauge({
      name: 'tsem_subscribers',
      help: 'Monitor subscribers connected',
      registers,
      collect() {
        this.set(collectors.subscribers?.().count ?? 0);
      },
    });
    new Counter({
      name: 'tsem_subscriber_dropped_total',
      help: 'Notices dropped because a Monitor subscriber was too slow',
      registers,
      collect() {
        setCounter(this, [[{}, collectors.subscribers?.().dropped ?? 0]]);
      },
    });
    new Gauge({
      name: 'tsem_verdict_cache_streams',
      help: 'Ingest streams whose exporter keeps a verdict cache (hello.verdict_cache)',
      registers,
      collect() {
        this.set(collectors.verdictCache?.().streams ?? 0);
      },
    });
    new Counter({
      name: 'tsem_verdict_cache_changes_total',
      help: 'Changes that emptied the verdict caches (in-process sources and exporters)',
      registers,
      collect() {
        setCounter(this, [[{}, collectors.verdictCache?.().changes ?? 0]]);
      },
    });
    new Gauge({
      name: 'tsem_incidents_open',
      help: 'Open incidents, by severity',
      labelNames: ['severity'],
      registers,
      collect() {
        this.reset();
        for (const s of ['low', 'medium', 'high']) this.set({ severity: s }, 0);
        for (const i of collectors.incidents?.().open ?? []) this.inc({ severity: i.severity });
      },
    });
    new Counter({
      name: 'tsem_alert_records_total',
      help: 'Alert-log records written, by activity (open, update, close)',
      labelNames: ['activity'],
      registers,
      collect() {
        const r = collectors.incidents?.().records ?? {};
        setCounter(
          this,
          Object.entries(r).map(([activity, n]) => [{ activity }, n])
        );
      },
    });
    const outputs = () => collectors.outputs?.() ?? [];
    if (collectors.shards) {
      const shards = () => collectors.shards?.() ?? Promise.resolve([]);
      new Gauge({
        name: 'tsem_shard_worker_namespaces',
        help: 'Namespaces whose events a worker thread decides (serve --workers)',
        labelNames: ['worker'],
        registers,
        async collect() {
          this.reset();
          for (const w of await shards()) this.set({ worker: String(w.worker) }, w.namespaces);
        },
      });
      new Gauge({
        name: 'tsem_shard_worker_heap_bytes',
        help: "A worker thread's V8 heap and external memory (serve --workers)",
        labelNames: ['worker'],
        registers,
        async collect() {
          this.reset();
          for (const w of await shards())
            this.set({ worker: String(w.worker) }, w.heapTotalBytes + w.externalBytes);
        },
      });
      new Counter({
        name: 'tsem_shard_worker_restarts_total',
        help: 'Worker threads replaced after they failed or exited',
        registers,
        collect() {
          setCounter(this, [[{}, collectors.shardRestarts?.() ?? 0]]);
        },
      });
    }
    new Counter({
      name: 'tsem_alert_output_delivered_total',
      help: 'Alert records delivered, by output',
      labelNames: ['output'],
      registers,
      collect() {
        setCounter(
          this,
          outputs().map((o) => [{ output: o.name }, o.delivered])
        );
      },
    });
    new Counter({
      name: 'tsem_alert_output_retries_total',
      help: 'Failed alert deliveries that were retried, by output',
      labelNames: ['output'],
      registers,
      collect() {
        setCounter(
          this,
          outputs().map((o) => [{ output: o.name }, o.retries])
        );
      },
    });
    new Counter({
      name: 'tsem_alert_output_dropped_total',
      help: 'Alert records an output dropped, by cause (queue-full, rejected, expired, disabled)',
      labelNames: ['output', 'cause'],
      registers,
      collect() {
        setCounter(
          this,
          outputs().flatMap((o) =>
            Object.entries(o.dropped).map(([cause, n]): [Record<string, string>, number] => [
              { output: o.name, cause },
              n,
            ])
          )
        );
      },
    });
    new Gauge({
      name: 'tsem_alert_output_pending',
      help: 'Alert records not yet delivered, by output (its queue depth)',
      labelNames: ['output'],
      registers,
      collect() {
        this.reset();
        for (const o of outputs()) this.set({ output: o.name }, o.pending);
      },
    });
    new Gauge({
      name: 'tsem_alert_output_last_success_timestamp_seconds',
      help: 'When an output last delivered a record (0 = never since start)',
      labelNames: ['output'],
      registers,
      collect() {
        this.reset();
        for (const o of outputs()) this.set({ output: o.name }, o.lastSuccessMs / 1000);
      },
    });
    new Gauge({
      name: 'tsem_alert_output_up',
      help: 'Whether an output is enabled (0 after a webhook answered 410 Gone)',
      labelNames: ['output'],
      registers,
      collect() {
        this.reset();
        for (const o of outputs()) this.set({ output: o.name }, o.disabled ? 0 : 1);
      },
    });
    const sourceStats = () =>
      (collectors.sources?.() ?? []).flatMap((s) =>
        Object.entries(s.stats).map(([name, v]) => ({ source: s.kind, name, v }))
      );
    new Counter({
      name: 'tsem_source_counter_total',
      help: "In-process sources' running totals (audit lost, fanotify overflows, drops, …), by source and name",
      labelNames: ['source', 'name'],
      registers,
      collect() {
        setCounter(
          this,
          sourceStats()
            .filter((s) => !SOURCE_GAUGES.has(s.name))
            .map((s) => [{ source: s.source, name: s.name }, s.v])
        );
      },
    });
    new Gauge({
      name: 'tsem_source_gauge',
      help: "In-process sources' levels (audit backlog, fanotify pending, …), by source and name",
      labelNames: ['source', 'name'],
      registers,
      collect() {
        this.reset();
        for (const s of sourceStats().filter((x) => SOURCE_GAUGES.has(x.name)))
          this.set({ source: s.source, name: s.name }, s.v);
      },
    });
  }

  /** The namespace label: the name itself for the first MAX_NAMESPACE_LABELS, then `_other`. */
  label(ns: string): string {
    if (this.nsLabels.has(ns)) return ns;
    if (this.nsLabels.size >= MAX_NAMESPACE_LABELS) return '_other';
    this.nsLabels.add(ns);
    return ns;
  }

  /** Counts one persisted batch's outcomes (summed per batch: one increment per kind). */
  countOutcomes(ns: NamespaceModel, outcomes: readonly Outcome[]): void {
    const namespace = this.label(ns.id);
    // Per kind, [allows, denials]: no string is built per event.
    const byKind = new Map<string, [number, number]>();
    let events = 0;
    let rejected = 0;
    for (const o of outcomes) {
      if (o.verdict) {
        events++;
        let c = byKind.get(o.verdict.kind);
        if (!c) byKind.set(o.verdict.kind, (c = [0, 0]));
        c[o.verdict.action === 'deny' ? 1 : 0]++;
      } else if ('error' in o) rejected++;
    }
    for (const [kind, [allows, denials]] of byKind) {
      if (allows > 0) this.verdicts.inc({ namespace, kind, action: 'allow' }, allows);
      if (denials > 0) this.verdicts.inc({ namespace, kind, action: 'deny' }, denials);
    }
    if (events > 0) this.events.inc({ namespace }, events);
    if (rejected > 0) this.rejected.inc({ namespace }, rejected);
  }

  readonly observer: PipelineObserver = {
    persisted: (s) => this.persist.observe(s),
    decided: (s) => this.decide.observe(s),
    pending: (d) => {
      this.pending += d;
      this.pendingGauge.set(this.pending);
    },
  };

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
