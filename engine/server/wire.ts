/** Wire ↔ domain converters: the only place proto messages meet engine types. */
import type { Event__Output } from '../../proto/gen/tsem/v1/Event.js';
import type { Mode as WireMode } from '../../proto/gen/tsem/v1/Mode.js';
import type { NamespaceInfo } from '../../proto/gen/tsem/v1/NamespaceInfo.js';
import type { PackedVerdicts } from '../../proto/gen/tsem/v1/PackedVerdicts.js';
import type { Verdict as WireVerdict } from '../../proto/gen/tsem/v1/Verdict.js';
import type { VerdictKind as WireVerdictKind } from '../../proto/gen/tsem/v1/VerdictKind.js';
import type { EventNotice } from '../../proto/gen/tsem/v1/EventNotice.js';
import type { Mode, NamespaceModel, VerdictKind } from '../ns/namespace-model.js';
import type { IncomingEvent, Outcome } from '../ns/pipeline.js';
import type { Notice } from './notice.js';
import { invalid } from './to-status.js';
import { actionNumbers, verdictKindNumbers } from '../../proto/enums.js';

type WireVerdictKindName = Extract<WireVerdictKind, string>;

const KIND_TO_WIRE: Record<VerdictKind, WireVerdictKind> = {
  learned: 'VERDICT_KIND_LEARNED',
  'on-contour': 'VERDICT_KIND_ON_CONTOUR',
  'would-be-off-contour': 'VERDICT_KIND_WOULD_BE_OFF_CONTOUR',
  'off-contour': 'VERDICT_KIND_OFF_CONTOUR',
  'untrusted-task': 'VERDICT_KIND_UNTRUSTED_TASK',
  lifecycle: 'VERDICT_KIND_LIFECYCLE',
};
const WIRE_TO_KIND = new Map(
  Object.entries(KIND_TO_WIRE).map(([k, v]) => [v as string, k as VerdictKind])
);

export function verdictKindFromWire(k: string): VerdictKind {
  const v = WIRE_TO_KIND.get(k);
  if (!v) throw invalid(`verdicts: unknown verdict kind '${k}'`);
  return v;
}

const MODE_TO_WIRE: Record<Mode, WireMode> = {
  learn: 'MODE_LEARN',
  audit: 'MODE_AUDIT',
  sealed: 'MODE_SEALED',
  enforce: 'MODE_ENFORCE',
};

export function modeToWire(m: Mode): WireMode {
  return MODE_TO_WIRE[m];
}

export function modeFromWire(m: string | number | undefined, field: string, dflt?: Mode): Mode {
  const found = (Object.entries(MODE_TO_WIRE) as [Mode, string][]).find(([, w]) => w === m);
  if (found) return found[0];
  if ((m === undefined || m === 'MODE_UNSPECIFIED' || m === 0) && dflt) return dflt;
  throw invalid(
    `${field}: expected one of MODE_LEARN, MODE_AUDIT, MODE_SEALED, MODE_ENFORCE, got '${String(m)}'`
  );
}

/** Drops proto3 default empty strings so optional kernel fields stay absent. */
function present(o: object | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!o) return out;
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string' && v !== '') out[k] = v;
  return out;
}

/** A wire Event as the pipeline's input; `index` names the event in errors. */
export function eventFromWire(e: Event__Output, index: number): IncomingEvent {
  if (e.body === 'kernel_json' && e.kernel_json) return { line: e.kernel_json };
  const s = e.structured;
  if (e.body !== 'structured' || !s)
    throw invalid(`events[${index}]: expected a structured event or kernel_json`);
  const header = present(s.header);
  if (!header['type']) throw invalid(`events[${index}].structured.header.type: missing`);
  return {
    structured: {
      header,
      coe: present(s.coe),
      cellJson: s.cell_json,
      fileDigest: s.file_digest || undefined,
    },
  };
}

export function outcomeToWire(o: Outcome): WireVerdict {
  if (o.verdict) {
    const v = o.verdict;
    return {
      kind: KIND_TO_WIRE[v.kind],
      action: v.action === 'deny' ? 'ACTION_DENY' : 'ACTION_ALLOW',
      coefficient: v.coefficient ?? Buffer.alloc(0),
      task_id: v.taskId,
      seq: String(v.seq),
    };
  }
  // A rejected event is never ALLOWED: denied where the namespace enforces, else no action (the
  // exporter applies its fail mode to a held event).
  if ('error' in o)
    return {
      kind: 'VERDICT_KIND_ERROR',
      action: o.deny ? 'ACTION_DENY' : 'ACTION_UNSPECIFIED',
      error: o.error,
      seq: o.seq === undefined ? undefined : String(o.seq),
    };
  if ('duplicate' in o) return { kind: 'VERDICT_KIND_DUPLICATE', action: 'ACTION_ALLOW' };
  return { kind: 'VERDICT_KIND_LIFECYCLE', action: 'ACTION_ALLOW', seq: String(o.seq) };
}

/** Verdicts of a LineBlock as parallel byte arrays (tsem.proto PackedVerdicts). */
export function packOutcomes(outcomes: readonly Outcome[]): PackedVerdicts {
  const n = outcomes.length;
  let size = 0;
  for (const o of outcomes)
    if (o.verdict?.coefficient) size = Math.max(size, o.verdict.coefficient.length);
  const kinds = Buffer.alloc(n);
  const actions = Buffer.alloc(n);
  const coefficients = Buffer.alloc(n * size);
  const errors: { index: number; error: string }[] = [];
  const kindNumbers = verdictKindNumbers();
  const actionNumber = actionNumbers();
  outcomes.forEach((o, i) => {
    const w = outcomeToWire(o);
    kinds[i] = kindNumbers.number(w.kind as WireVerdictKindName);
    actions[i] = actionNumber.number(w.action as Extract<typeof w.action, string>);
    o.verdict?.coefficient?.copy(coefficients, i * size);
    if ('error' in o) errors.push({ index: i, error: o.error });
  });
  return { kinds, actions, coefficients, digest_size: size, errors };
}

export function noticeToWire(n: Notice): EventNotice {
  return {
    namespace: n.namespace,
    host: n.host,
    exporter: n.exporter,
    type: n.type,
    process: n.process,
    pid: n.pid,
    verdict: n.verdict
      ? outcomeToWire({ verdict: n.verdict, event: undefined as never })
      : {
          kind: 'VERDICT_KIND_ERROR',
          action: n.deny ? 'ACTION_DENY' : 'ACTION_UNSPECIFIED',
          error: n.error ?? '',
        },
    event_json: n.eventJson(),
    time_ms: String(n.timeMs),
    alert: n.alert,
    ima_json: imaJson(n),
    records_json: n.records && n.records.length > 0 ? JSON.stringify(n.records) : '',
    landlock: n.landlock ?? '',
  };
}

export function namespaceInfo(ns: NamespaceModel, serverRequiresSigned = false): NamespaceInfo {
  const c = ns.config;
  return {
    name: ns.id,
    digest: c.digest,
    nsref: c.nsref,
    mode: modeToWire(c.mode),
    dialect: c.dialect,
    aggregate: c.aggregate.toString('hex'),
    base: c.base.toString('hex'),
    measurement: ns.measurement.toString('hex'),
    state: ns.state().toString('hex'),
    points: String(ns.pointCount),
    forensic_points: String(ns.forensicPointCount()),
    trajectory_length: String(ns.trajectory().length),
    forensics_length: String(ns.forensics().length),
    events: String(ns.eventCount),
    untrusted_tasks: String(ns.untrustedTaskCount()),
    audit_findings: String(ns.findingCount),
    rejected_events: String(ns.rejectedCount),
    require_signed_models: serverRequiresSigned || c.requireSignedModels,
  };
}

/** EventNotice.ima_json: the IMA stage's records as a JSON array, or empty. */
function imaJson(n: Notice): string {
  const ima = n.records?.filter((r) => r.stage === 'ima').map((r) => r.fields);
  return ima && ima.length > 0 ? JSON.stringify(ima) : '';
}
