/**
 * One event through a namespace: parsed (a kernel line, a source's JSON object or a structured
 * wire event), applied to the model, then through the stages after the verdict; a namespace that
 * settles with it seals itself after it. A rejected event is kept as evidence where the namespace
 * is sealed.
 */
import { EngineError, errorMessage, ParseError } from '../../common/errors.js';
import { escapeBytes, escapeText } from '../../common/escape.js';
import type { TsemEvent, TsemRecord } from '../event/event.js';
import type { EventParseCache } from '../event/parse-cache.js';
import { parseEventObject } from '../event/parse-json.js';
import { applyRecord } from './apply-record.js';
import type { NamespaceModel, Verdict } from './namespace-model.js';
import type { EventOrigin, IncomingEvent, IngestPosition, Outcome } from './pipeline-work.js';
import type { PipelineStage, StageRecord } from './stage.js';

/** Runs the stages after the model's verdict, in order; a stage may turn the action into a denial. */
export function withStages(
  ns: NamespaceModel,
  event: TsemEvent,
  verdict: Verdict,
  stages: readonly PipelineStage[],
  origin: EventOrigin,
  taskKey: string,
  first: readonly StageRecord[] = []
): Extract<Outcome, { verdict: Verdict }> {
  if (stages.length === 0)
    return first.length > 0 ? { verdict, event, records: first } : { verdict, event };
  let v = verdict;
  let records: StageRecord[] | undefined = first.length > 0 ? [...first] : undefined;
  for (const h of stages) {
    const r = h.afterVerdict(ns, event, v, { origin, taskOrigin: taskKey, records: records ?? [] });
    if (!r) continue;
    if (r.deny && v.action !== 'deny') v = Object.assign({}, v, { action: 'deny' as const });
    if (r.records) (records ??= []).push(...r.records);
  }
  return { verdict: v, event, records };
}

export function parseIncoming(
  ns: NamespaceModel,
  cache: EventParseCache,
  e: IncomingEvent
): TsemRecord {
  const opts = { digestSize: ns.alg.size };
  if ('obj' in e) return { kind: 'event', event: parseEventObject(e.obj, opts) };
  if ('structured' in e) return { kind: 'event', event: cache.parseStructured(e.structured, opts) };
  return cache.parseLine(e.line, opts);
}

/** The alert a namespace raises when it seals itself after its quiet windows (convergence). */
function autoSealRecord(ns: NamespaceModel): StageRecord {
  const s = ns.convergence.settings;
  const mode = s.autoSealMode;
  return {
    stage: 'convergence',
    fields: {
      action: 'auto-sealed',
      mode,
      quiet_windows: String(ns.convergence.quietWindows),
      window: s.windowMs ? `${s.windowMs}ms` : `${s.windowEvents} events`,
      points: String(ns.pointCount),
    },
    alert: true,
  };
}

export function processOne(
  ns: NamespaceModel,
  cache: EventParseCache,
  e: IncomingEvent,
  stages: readonly PipelineStage[],
  origin: EventOrigin,
  taskKey: string,
  now: number
): Outcome {
  try {
    const applied = applyRecord(ns, parseIncoming(ns, cache, e), {
      acceptAggregate: true,
      origin: taskKey,
      now,
    });
    if (applied.kind === 'event') {
      // A namespace that settles with this event seals itself after it: the stages see this
      // event in the mode it was modeled in (with the record saying so), the next event the new one.
      const sealing = ns.autoSealDue() ? [autoSealRecord(ns)] : [];
      const outcome = withStages(
        ns,
        applied.event,
        applied.verdict,
        stages,
        origin,
        taskKey,
        sealing
      );
      if (sealing.length > 0) ns.autoSealIfDue();
      return outcome;
    }
    return { note: applied.kind, seq: ns.eventCount };
  } catch (err) {
    if (err instanceof ParseError) {
      const r = ns.reject(evidenceText(e), err.message);
      return { error: err.message, seq: r.seq, alert: r.alert, deny: r.deny };
    }
    if (err instanceof EngineError) return { error: err.message };
    return { error: `internal error: ${errorMessage(err)}` };
  }
}

/**
 * A run of one exporter batch's events (or part of one: `from`, `to`), exactly once: an event its
 * exporter numbered and the namespace applied before is answered `duplicate`, not modeled again.
 * With `untilModeChange` the run stops after an event that changed the mode (a namespace that
 * sealed itself): the outcomes say how far it went.
 */
export function processRun(
  ns: NamespaceModel,
  cache: EventParseCache,
  events: readonly IncomingEvent[],
  stages: readonly PipelineStage[],
  origin: EventOrigin,
  taskKey: string,
  now: number,
  position: IngestPosition | undefined,
  untilModeChange = false
): Outcome[] {
  const p = position;
  const mode = ns.mode;
  const outcomes: Outcome[] = [];
  for (let i = 0; i < events.length; i++) {
    if (p && ns.ingest.applied(p.exporter, p.session, p.seqs[i]!)) {
      outcomes.push({ duplicate: true });
      continue;
    }
    outcomes.push(processOne(ns, cache, events[i]!, stages, origin, taskKey, now));
    if (p) ns.ingest.note(p.exporter, p.session, p.seqs[i]!);
    if (untilModeChange && ns.mode !== mode) break;
  }
  return outcomes;
}

/** Longest part of a rejected event kept as evidence. */
export const MAX_EVIDENCE_CHARS = 16 * 1024;

/** A rejected event as evidence: escaped (it may hold any bytes) and cut to MAX_EVIDENCE_CHARS. */
function evidenceText(e: IncomingEvent): string {
  let text: string;
  if ('line' in e) text = escapeBytes(e.line.subarray(0, MAX_EVIDENCE_CHARS));
  else if ('obj' in e) text = escapeText(JSON.stringify(e.obj));
  else
    text = escapeText(
      JSON.stringify({
        event: e.structured.header,
        COE: e.structured.coe,
        cell_json: escapeBytes(e.structured.cellJson.subarray(0, MAX_EVIDENCE_CHARS)),
      })
    );
  return text.length > MAX_EVIDENCE_CHARS ? `${text.slice(0, MAX_EVIDENCE_CHARS)}…` : text;
}
