/**
 * Continuous attestation (docs/attestation.md §5): each new report of a namespace is judged
 * against its verification and against the namespace's previous report. Changed keys, an
 * aggregate that moved, a failing quote, a measurement that does not extend the previous one by
 * the new points, and any change of a sealed or enforce namespace are alerts; growth while
 * learning is reported. Pure: the caller polls, verifies and fetches the new points.
 */
import { createDigest } from '../measure/digest.js';
import { extend } from '../measure/extend.js';
import type { Finding } from './finding.js';
import type { AttestationReport } from './report.js';
import { type WatchFigures, type WatchKind, type WatchRecord, watchRecord } from './watch-alert.js';

/** A namespace's report in one poll, verified (engine/attest/verify-report.ts). */
export interface Observation {
  readonly namespace: string;
  readonly time: number;
  readonly report: AttestationReport;
  readonly findings: readonly Finding[];
  /** The Name of the AK that signed the quote, if the report has one. */
  readonly ak?: string;
}

/** The boot PCRs a quote covers (tsem-model.md §2.7: the aggregate's inputs). */
const BOOT_PCRS = ['0', '1', '2', '3', '4', '5', '6', '7'];

/** The namespace's points from index `from` on, in first-seen order (Control.GetPoints). */
export type PointsFrom = (namespace: string, from: number) => Promise<readonly Buffer[]>;

export interface WatchOptions {
  /** The AK Name the verifier pinned; otherwise the first one seen is. */
  readonly ak?: string;
  /** The agent key (base64) the verifier pinned; otherwise the first one seen is. */
  readonly agentKey?: string;
}

const SEALED = new Set(['sealed', 'enforce']);

/** Which finding ids make which alert kind (the first that applies wins). */
function kindOf(id: string): WatchKind {
  if (id === 'quote.ak') return 'ak-changed';
  if (id === 'report.agent_key') return 'agent-key-changed';
  if (id.startsWith('report.')) return 'report-invalid';
  if (id === 'pcr.aggregate') return 'aggregate-changed';
  return 'quote-failed';
}

function figuresOf(r: AttestationReport, ak?: string): WatchFigures {
  return {
    mode: r.mode,
    points: r.points,
    forensics: r.forensics,
    measurement: r.measurement,
    aggregate: r.aggregate,
    ...(ak ? { ak } : {}),
  };
}

export class AttestWatch {
  private ak?: string;
  private agentKey?: string;
  /** PCRs 0-7 of the last quote that verified, whatever its namespace. */
  private boot?: Readonly<Record<string, string>>;
  /** The last report of each namespace that verified. */
  private readonly last = new Map<string, AttestationReport>();

  constructor(opts: WatchOptions = {}) {
    this.ak = opts.ak;
    this.agentKey = opts.agentKey;
  }

  /** The AK and agent key pinned so far (given, or first seen). */
  get pinned(): { readonly ak?: string; readonly agentKey?: string } {
    return {
      ...(this.ak ? { ak: this.ak } : {}),
      ...(this.agentKey ? { agentKey: this.agentKey } : {}),
    };
  }

  /** A namespace could not be attested in this poll (unreachable engine, no agent, vanished). */
  unavailable(namespace: string, time: number, why: string): WatchRecord {
    return watchRecord('unavailable', namespace, time, why);
  }

  /** Judges one verified report; `points` gives the new points when the count grew. */
  async observe(o: Observation, points: PointsFrom): Promise<WatchRecord[]> {
    const r = o.report;
    const fig = figuresOf(r, o.ak);
    const out: WatchRecord[] = [];
    const alert = (kind: WatchKind, reason: string, findings?: readonly string[]) =>
      out.push(
        watchRecord(kind, o.namespace, o.time, reason, {
          figures: fig,
          ...(findings ? { findings } : {}),
        })
      );

    // Keys: pinned, or trusted on first use; a change is always an alert.
    if (o.ak) {
      if (this.ak === undefined) this.ak = o.ak;
      else if (o.ak !== this.ak)
        alert('ak-changed', `reports are now quoted by attestation key ${o.ak}, not ${this.ak}`);
    }
    if (this.agentKey === undefined) this.agentKey = r.agentKey;
    else if (r.agentKey !== this.agentKey && !o.findings.some((f) => f.id === 'report.agent_key'))
      alert(
        'agent-key-changed',
        `reports are now signed by agent key ${r.agentKey}, not ${this.agentKey}`
      );

    // What verification found, grouped into alert kinds.
    const byKind = new Map<WatchKind, Finding[]>();
    for (const f of o.findings) {
      const k = kindOf(f.id);
      byKind.set(k, [...(byKind.get(k) ?? []), f]);
    }
    for (const [kind, fs] of byKind)
      alert(
        kind,
        fs.map((f) => `${f.id}: ${f.reason}`).join('; '),
        fs.map((f) => f.id)
      );
    // An unverified report says nothing reliable about the state: keep the last good one.
    if (o.findings.some((f) => f.id.startsWith('report.') || f.id.startsWith('quote.'))) return out;

    // The boot state: any of PCRs 0-7 that moved between two verified quotes is named.
    const pcrs = r.quote?.pcrs;
    if (pcrs) {
      const moved = this.boot
        ? BOOT_PCRS.filter((i) => pcrs[i] !== undefined && pcrs[i] !== this.boot![i])
        : [];
      if (moved.length > 0)
        alert(
          'aggregate-changed',
          `the boot state changed: ${moved.map((i) => `PCR ${i} ${this.boot![i]} -> ${pcrs[i]}`).join(', ')}`
        );
      this.boot = pcrs;
    }

    const prev = this.last.get(o.namespace);
    this.last.set(o.namespace, r);
    if (!prev) {
      if (out.length === 0)
        out.push(
          watchRecord('first', o.namespace, o.time, `first report: ${r.mode}, ${r.points} points`, {
            figures: fig,
          })
        );
      return out;
    }
    if (r.aggregate !== prev.aggregate)
      alert(
        'aggregate-changed',
        `aggregate ${prev.aggregate} became ${r.aggregate}: the platform's boot state changed`
      );

    const before = prev.points + prev.forensics;
    const now = r.points + r.forensics;
    const changed =
      r.measurement !== prev.measurement ||
      r.state !== prev.state ||
      r.mode !== prev.mode ||
      now !== before;
    const broken = await this.continuity(o.namespace, prev, r, points);
    if (broken) alert('measurement-broken', broken);
    if (changed && (SEALED.has(prev.mode) || SEALED.has(r.mode))) {
      const what = [
        r.mode !== prev.mode ? `mode ${prev.mode} -> ${r.mode}` : undefined,
        r.points !== prev.points ? `points ${prev.points} -> ${r.points}` : undefined,
        r.forensics !== prev.forensics
          ? `forensics ${prev.forensics} -> ${r.forensics}`
          : undefined,
        r.measurement !== prev.measurement ? 'measurement changed' : undefined,
      ].filter(Boolean);
      alert(
        'sealed-changed',
        `a ${SEALED.has(prev.mode) ? prev.mode : r.mode} namespace changed: ${what.join(', ')}`
      );
    }
    if (out.length === 0) {
      out.push(
        changed
          ? watchRecord(
              'growth',
              o.namespace,
              o.time,
              `${r.mode}: ${now - before} new point(s), the measurement extends the previous one`,
              { figures: fig }
            )
          : watchRecord('unchanged', o.namespace, o.time, 'unchanged', { figures: fig })
      );
    }
    return out;
  }

  /**
   * Why the new measurement is not the previous one extended by the new points (tsem-model.md
   * §2.6), or undefined when it is.
   */
  private async continuity(
    ns: string,
    prev: AttestationReport,
    r: AttestationReport,
    points: PointsFrom
  ): Promise<string | undefined> {
    if (r.base !== prev.base || r.digest !== prev.digest)
      return `the namespace's base or digest changed (${prev.digest} ${prev.base} -> ${r.digest} ${r.base}): it was recreated`;
    const before = prev.points + prev.forensics;
    const count = r.points + r.forensics;
    if (count < before)
      return `the namespace lost points (${before} -> ${count}): it was recreated or rolled back`;
    if (count === before)
      return r.measurement === prev.measurement
        ? undefined
        : `the measurement changed (${prev.measurement} -> ${r.measurement}) without a new point`;
    const added = (await points(ns, before)).slice(0, count - before);
    if (added.length < count - before)
      return `the engine lists ${before + added.length} points, the report states ${count}`;
    const alg = createDigest(r.digest);
    const base = Buffer.from(r.base, 'hex');
    let m: Buffer = Buffer.from(prev.measurement, 'hex');
    for (const p of added) m = extend(alg, base, m, p);
    return m.toString('hex') === r.measurement
      ? undefined
      : `the measurement ${r.measurement} is not the previous ${prev.measurement} extended by the ${added.length} new point(s)`;
  }
}
