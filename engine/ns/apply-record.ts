/**
 * Applies one parsed input record to a namespace, the same way wherever records come from (the
 * pipeline, a replay, the modeling agent): an event is modeled, an exported aggregate re-seeds the
 * measurement when the caller accepts it, a log record changes nothing (docs/tsem-model.md §3.4).
 */
import type { TsemEvent, TsemRecord } from '../event/event.js';
import type { NamespaceModel, Verdict } from './namespace-model.js';

export type Applied =
  | { readonly kind: 'event'; readonly verdict: Verdict; readonly event: TsemEvent }
  | { readonly kind: 'aggregate' | 'log' };

export interface ApplyOptions {
  /** Take `aggregate` export records as the namespace's aggregate (only before its first point). */
  readonly acceptAggregate: boolean;
  /** Where the record came from (exporter identity and host): tasks are per origin. */
  readonly origin?: string;
  /** The engine's clock (ms since the epoch): first/last seen times and time windows. */
  readonly now?: number;
}

export function applyRecord(ns: NamespaceModel, rec: TsemRecord, opts: ApplyOptions): Applied {
  if (rec.kind === 'event')
    return {
      kind: 'event',
      verdict: ns.process(rec.event, opts.origin, opts.now),
      event: rec.event,
    };
  if (rec.kind === 'aggregate' && opts.acceptAggregate) ns.setAggregate(rec.value);
  return { kind: rec.kind };
}
