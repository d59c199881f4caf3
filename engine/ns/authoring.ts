/**
 * The policy author's operations on a running engine, shared by every front end (the gRPC Control
 * service, and a web console later): points and findings with their descriptions, the
 * explanation of an off-contour coefficient, accepting findings and forensics into the model, and
 * model files in and out with their header checked. Reads run in the namespace's order and take
 * descriptions from the model's pending ones first, then from the store; changes run as pipeline
 * controls, persisted in one batch like any event.
 */
import { EngineError } from '../../common/errors.js';
import { descriptionLine, type EventDescription } from '../event/describe.js';
import { DEFAULT_NEAREST, MAX_NEAREST, NearestPoints, type Neighbor } from '../contour/explain.js';
import {
  formatModelFile,
  type ModelFile,
  parseModelFile,
  type PointNote,
} from '../contour/model-file.js';
import { readModelHeader } from '../contour/model-header.js';
import { checkModelTarget } from '../contour/model-ops.js';
import { pseudonymConflicts } from '../contour/model-pseudonyms.js';
import type {
  AcceptOutcome,
  LoadOutcome,
  NamespaceModel,
  PointStatus,
  StoredDescription,
} from './namespace-model.js';
import type { Pipeline } from './pipeline.js';
import type { NamespaceRegistry } from './registry.js';

export interface PointInfo {
  readonly hex: string;
  readonly status: PointStatus | 'unknown';
  readonly count: number;
  readonly first?: number;
  readonly last?: number;
  readonly description?: EventDescription;
}

export interface Explanation {
  readonly point: PointInfo;
  /** Nearest valid points first (explain.ts), each with its count. */
  readonly nearest: readonly (Neighbor & { readonly count: number })[];
  /** Described valid points compared. */
  readonly compared: number;
  /** Valid points that carry no description (loaded from a model without one). */
  readonly undescribed: number;
}

export interface Page {
  readonly offset: number;
  readonly limit: number;
}

export type PointFilter = 'all' | 'valid' | 'forensic';

/** A stored description as readers see it: the finding's kernel line stays inside. */
function publicDescription(d: StoredDescription | undefined): EventDescription | undefined {
  if (!d) return undefined;
  const { line: _line, ...rest } = d;
  return rest;
}

function invalid(message: string): EngineError {
  return new EngineError('TSEM_INVALID_ARGUMENT', message);
}

export class PolicyAuthoring {
  constructor(
    private readonly registry: NamespaceRegistry,
    private readonly pipeline: Pipeline
  ) {}

  private need(name: string): NamespaceModel {
    if (!name) throw invalid('name: a namespace name is required');
    return this.registry.require(name);
  }

  /** The coefficient as lowercase hex of the namespace's digest size, or an error naming it. */
  checkCoefficient(ns: NamespaceModel, hex: string): string {
    const h = hex.toLowerCase();
    if (!/^[0-9a-f]+$/.test(h) || h.length !== ns.alg.size * 2)
      throw invalid(
        `coefficient: expected ${ns.alg.size * 2} hex characters (${ns.alg.name}), got '${hex.slice(0, 80)}'`
      );
    return h;
  }

  /** Descriptions of these coefficients: pending in the model first, then the store. */
  async descriptions(
    name: string,
    hexes: readonly string[]
  ): Promise<Map<string, StoredDescription>> {
    const pending = await this.pipeline.read(name, (ns) =>
      hexes.map((h) => [h, ns.pendingDescription(h)] as const)
    );
    const out = new Map<string, StoredDescription>();
    const missing: string[] = [];
    for (const [h, d] of pending) {
      if (d) out.set(h, d);
      else missing.push(h);
    }
    const store = this.registry.store;
    if (store && missing.length > 0)
      for (const [h, d] of await store.descriptions(name, missing)) out.set(h, d);
    return out;
  }

  private async withDescriptions(
    name: string,
    infos: readonly PointInfo[],
    want: boolean
  ): Promise<PointInfo[]> {
    if (!want || infos.length === 0) return [...infos];
    const ds = await this.descriptions(
      name,
      infos.map((i) => i.hex)
    );
    return infos.map((i) => ({ ...i, description: publicDescription(ds.get(i.hex)) }));
  }

  /** Points in first-seen order, a page at a time, with their descriptions when asked. */
  async listPoints(
    name: string,
    page: Page,
    filter: PointFilter,
    descriptions: boolean
  ): Promise<{ points: PointInfo[]; total: number }> {
    this.need(name);
    const { infos, total } = await this.pipeline.read(name, (ns) => {
      const all = ns.points().filter((p) => filter === 'all' || p.valid === (filter === 'valid'));
      return {
        total: all.length,
        infos: all.slice(page.offset, page.offset + page.limit).map((p): PointInfo => ({
          hex: p.hex,
          status: p.valid ? 'valid' : 'forensic',
          count: p.count,
          first: p.first,
          last: p.last,
        })),
      };
    });
    return { points: await this.withDescriptions(name, infos, descriptions), total };
  }

  /**
   * Audit-mode findings, then sealed-mode forensic points, each once with its count and its
   * first event's description: what an author reviews before accepting.
   */
  async listFindings(
    name: string,
    page: Page
  ): Promise<{ items: PointInfo[]; total: number; findings: number; forensic: number }> {
    this.need(name);
    const r = await this.pipeline.read(name, (ns) => {
      const findings = ns.findings().map((f): PointInfo => ({
        hex: f.coefficient.toString('hex'),
        status: 'finding',
        count: f.count,
        first: f.first,
        last: f.last,
      }));
      const forensic = ns
        .points()
        .filter((p) => !p.valid)
        .map((p): PointInfo => ({
          hex: p.hex,
          status: 'forensic',
          count: p.count,
          first: p.first,
          last: p.last,
        }));
      const all = [...findings, ...forensic];
      return {
        infos: all.slice(page.offset, page.offset + page.limit),
        total: all.length,
        findings: findings.length,
        forensic: forensic.length,
      };
    });
    return {
      items: await this.withDescriptions(name, r.infos, true),
      total: r.total,
      findings: r.findings,
      forensic: r.forensic,
    };
  }

  /**
   * What a coefficient stands for and, unless it is on the contour, the nearest trained points
   * (same event type first, then same process, then fewest differing COE and CELL fields).
   */
  async explain(name: string, coefficient: string, k = DEFAULT_NEAREST): Promise<Explanation> {
    const ns = this.need(name);
    const hex = this.checkCoefficient(ns, coefficient);
    const nearest = Math.min(Math.max(k || DEFAULT_NEAREST, 1), MAX_NEAREST);
    const snap = await this.pipeline.read(name, (m) => {
      const p = m.point(hex);
      const f = m.finding(hex);
      return {
        status: m.statusOf(hex),
        count: p?.count ?? f?.count ?? 0,
        first: p?.first ?? f?.first,
        last: p?.last ?? f?.last,
        pending: [...m.pendingDescriptionEntries()],
        valid: m.validPointCount(),
      };
    });
    if (!snap.status)
      throw new EngineError(
        'TSEM_NAMESPACE',
        `namespace ${name} has no point or finding ${hex} (never seen there)`
      );
    const pending = new Map(snap.pending);
    const stored = pending.get(hex) ?? (await this.descriptions(name, [hex])).get(hex);
    const point: PointInfo = {
      hex,
      status: snap.status,
      count: snap.count,
      first: snap.first,
      last: snap.last,
      description: publicDescription(stored),
    };
    if (snap.status === 'valid' || !point.description)
      return { point, nearest: [], compared: 0, undescribed: 0 };
    const finder = new NearestPoints(point.description, hex, nearest);
    const isValid = (h: string) => ns.point(h)?.valid === true;
    for (const [h, d] of pending) if (isValid(h)) finder.offer(h, publicDescription(d)!);
    const store = this.registry.store;
    if (store)
      for await (const [h, d] of store.scanDescriptions(name))
        if (!pending.has(h) && isValid(h)) finder.offer(h, publicDescription(d)!);
    return {
      point,
      nearest: finder.result().map((n) => ({ ...n, count: ns.point(n.hex)?.count ?? 0 })),
      compared: finder.compared,
      undescribed: Math.max(snap.valid - finder.compared, 0),
    };
  }

  /**
   * Accepts findings and forensic points into the model (`all`: every one). Unknown coefficients
   * are refused before anything changes.
   */
  async accept(
    name: string,
    coefficients: readonly string[],
    all: boolean
  ): Promise<{ outcomes: AcceptOutcome[]; ns: NamespaceModel }> {
    const ns = this.need(name);
    if (all === coefficients.length > 0)
      throw invalid('give the coefficients to accept, or all (not both)');
    const asked = coefficients.map((c) => this.checkCoefficient(ns, c));
    const targets = await this.pipeline.read(name, (m) =>
      all
        ? [
            ...m.findings().map((f) => f.coefficient.toString('hex')),
            ...m
              .points()
              .filter((p) => !p.valid)
              .map((p) => p.hex),
          ]
        : asked
    );
    const statuses = await this.pipeline.read(name, (m) => targets.map((h) => m.statusOf(h)));
    const unknown = targets.filter((_, i) => statuses[i] === undefined);
    if (unknown.length > 0)
      throw new EngineError(
        'TSEM_NAMESPACE',
        `namespace ${name} has no point or finding ${unknown.join(', ')}`
      );
    const findings = targets.filter((_, i) => statuses[i] === 'finding');
    const ds = await this.descriptions(name, findings);
    const withLines = targets.map((hex) => {
      const d = ds.get(hex);
      return { hex, line: d ? (d.line ?? descriptionLine(d)) : undefined };
    });
    const now = Date.now();
    const outcomes = await this.pipeline.control(name, (m) => m.accept(withLines, now));
    return { outcomes, ns };
  }

  /** The namespace's model file: header and point notes unless `pure` (Quixote's format). */
  async exportModel(
    name: string,
    opts: { includeForensics: boolean; pure: boolean; origin: string }
  ): Promise<string> {
    const ns = this.need(name);
    const { model, counts } = await this.pipeline.read(name, (m) => {
      const exported = m.exportModel(opts.includeForensics);
      return {
        model: exported,
        counts: new Map(
          exported.states.map((s) => [s.toString('hex'), m.point(s.toString('hex'))?.count])
        ),
      };
    });
    const notes = new Map<string, PointNote>();
    if (!opts.pure) {
      const hexes = model.states.map((s) => s.toString('hex'));
      // In slices: a large model's descriptions are read a part at a time.
      for (let i = 0; i < hexes.length; i += 1024) {
        const part = hexes.slice(i, i + 1024);
        const ds = await this.descriptions(name, part);
        for (const h of part)
          notes.set(h, { count: counts.get(h), description: publicDescription(ds.get(h)) });
      }
    }
    const file: ModelFile = {
      ...model,
      comments: [],
      header: { digest: ns.alg.name, dialect: ns.config.dialect, origin: opts.origin },
      notes,
    };
    return formatModelFile(file, { pure: opts.pure });
  }

  /**
   * Loads a model file into a namespace: its header must name the namespace's digest and dialect
   * (a header-less model is loaded with a warning where they are not the defaults); a namespace
   * holding points or findings needs `merge` (add the model's points) or `replace` (start over).
   */
  async loadModel(
    name: string,
    text: string,
    opts: { create: boolean; replace: boolean; merge: boolean }
  ): Promise<{ ns: NamespaceModel; warnings: string[]; outcome: LoadOutcome }> {
    if (!name) throw invalid('name: a namespace name is required');
    if (opts.replace && opts.merge) throw invalid('replace and merge exclude each other');
    if (!this.registry.get(name)) {
      if (!opts.create) this.need(name);
      await this.registry.create({ id: name });
    }
    const ns = this.need(name);
    const target = { name: `namespace ${name}`, digest: ns.alg.name, dialect: ns.config.dialect };
    const header = readModelHeader(text);
    if (header.digest && header.digest !== ns.alg.name)
      throw new EngineError(
        'TSEM_MODEL_FILE',
        `the model's header names digest ${header.digest} but ${target.name} uses ${target.digest}`
      );
    const model = parseModelFile(text, ns.alg, 'model');
    const warnings = checkModelTarget(model, target);
    const conflicts = pseudonymConflicts(model, ns.alg, ns.config.dialect);
    if (conflicts.length > 0)
      throw new EngineError(
        'TSEM_MODEL_FILE',
        `${conflicts.length} point(s) of the model were mapped without a pseudonym it declares (first: ${conflicts[0]!.hex.slice(0, 16)}… on ${JSON.stringify(conflicts[0]!.pathname)}); their events would be off-contour: map them again with 'tsem model pseudonym --model FILE PATH…'`
      );
    const now = Date.now();
    const outcome = await this.pipeline.control(name, (m) => {
      if (!opts.replace && !opts.merge && (m.pointCount > 0 || m.findingCount > 0))
        throw invalid(
          `namespace ${name} holds ${m.pointCount} point(s) and ${m.findingCount} finding(s): load with merge (add the model's points) or replace (start the map over)`
        );
      return m.loadModel(model, { replace: opts.replace, now });
    });
    return { ns, warnings, outcome };
  }
}
