/** What `tsem run` tells the user when its workload is over: one line, or one JSON object. */
import type { CanisterFinished__Output } from '../../proto/gen/tsem/v1/CanisterFinished.js';
import type { CanisterStarted__Output } from '../../proto/gen/tsem/v1/CanisterStarted.js';
import { modeName } from '../commands/ns.js';

export interface RunSummary {
  readonly namespace: string;
  readonly label: string | null;
  readonly cgroup: string;
  readonly created: boolean;
  readonly kept: boolean;
  /** No event arrived yet: the namespace goes when the engine's grace period ends without one. */
  readonly removal_pending: boolean;
  readonly mode: string;
  readonly model_source: string;
  /** Events routed to the namespace by the canister's cgroup. */
  readonly events: number;
  /** Off-contour points (sealed, enforce), findings (audit) and tasks made untrusted by this run. */
  readonly forensics: number;
  readonly findings: number;
  readonly untrusted_tasks: number;
  readonly label_saved_points: number | null;
  readonly label_note: string | null;
  readonly exit_status: number;
}

const delta = (after: string | undefined, before: string | undefined) =>
  Math.max(0, Number(after ?? 0) - Number(before ?? 0));

export function runSummary(
  started: CanisterStarted__Output,
  finished: CanisterFinished__Output,
  cgroup: string,
  label: string | undefined,
  exitStatus: number
): RunSummary {
  const a = started.namespace;
  const b = finished.namespace;
  return {
    namespace: a?.name ?? '',
    label: label ?? null,
    cgroup,
    created: started.created,
    kept: finished.kept,
    removal_pending: finished.removal_pending,
    mode: modeName(b?.mode ?? a?.mode ?? ''),
    model_source: started.model_source,
    events: Number(finished.events),
    forensics: delta(b?.forensics_length, a?.forensics_length),
    findings: delta(b?.audit_findings, a?.audit_findings),
    untrusted_tasks: delta(b?.untrusted_tasks, a?.untrusted_tasks),
    label_saved_points: finished.label ? Number(finished.label.points) : null,
    label_note: finished.label_note || null,
    exit_status: exitStatus,
  };
}

export function formatRunSummary(s: RunSummary): string {
  const from =
    s.model_source === 'label'
      ? `, from label ${s.label}'s model`
      : s.model_source === 'request'
        ? ', model loaded'
        : '';
  const parts = [
    `namespace ${s.namespace} (${s.mode}${s.created ? ', created' : ''}${from})`,
    `${s.events} events`,
    `${s.forensics} new off-contour points`,
    ...(s.findings > 0 ? [`${s.findings} new findings`] : []),
    `${s.untrusted_tasks} tasks made untrusted`,
    `exit ${s.exit_status}`,
  ];
  const tail = [
    ...(s.removal_pending
      ? [
          'no event arrived: the namespace is removed unless late events come within the grace period',
        ]
      : []),
    ...(s.kept ? [] : ['the namespace no longer exists']),
    ...(s.label_saved_points !== null
      ? [`model stored under label ${s.label} (${s.label_saved_points} points)`]
      : []),
    ...(s.label_note ? [`label not stored: ${s.label_note}`] : []),
  ];
  return `tsem run: ${parts.join(', ')}${tail.length ? `; ${tail.join('; ')}` : ''}\n`;
}
