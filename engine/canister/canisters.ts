/**
 * The engine's side of a canister (`tsem run`): on start, the namespace is made ready (created
 * when missing, from the request's model or else the label's stored one; the mode set) and the
 * cgroup's route added; on finish, once the cgroup's last events are in, a learn-mode run's model
 * is stored under the label, and a namespace created for the run that received no event is
 * deleted. A canister abandoned by its launcher (the call closed) finishes without saving.
 */
import { EngineError } from '../../common/errors.js';
import { formatModelFile, parseModelFile } from '../contour/model-file.js';
import type { Mode } from '../contour/mode.js';
import type { NamespaceModel } from '../ns/namespace-model.js';
import type { Pipeline } from '../ns/pipeline.js';
import { checkNamespaceName, type NamespaceRegistry } from '../ns/registry.js';
import type { LabelModel, LabelModelStore } from './label-models.js';
import { type CanisterRoute, type CanisterRoutes, FINISHED_ROUTE_MS } from './routes.js';

export interface CanisterStartRequest {
  readonly host: string;
  readonly cgroupId: string;
  readonly cgroupPath?: string;
  /** Default: the label. */
  readonly namespace?: string;
  readonly label?: string;
  readonly mode?: Mode;
  /** Model file text to load instead of the label's. */
  readonly model?: string;
  /** Hash of a namespace created without a model. */
  readonly digest?: string;
  readonly command?: string;
  /** Detached signature of `model`. */
  readonly modelSignature?: string;
}

/**
 * TSEM's model lock: throws unless `model` may be loaded into namespace `name` (`existing`, or one
 * about to be created): a bad signature never, an unsigned one not where signed models are required.
 */
export type ModelLock = (
  name: string,
  model: string,
  signature: string | undefined,
  existing: NamespaceModel | undefined
) => void;

export interface RunningCanister {
  readonly route: CanisterRoute;
  readonly label: string;
  /** The namespace was created for this canister. */
  readonly created: boolean;
  readonly modelSource: '' | 'label' | 'request';
}

export interface CanisterEnd {
  /** The namespace after the canister's last events; undefined when it was deleted. */
  readonly namespace?: NamespaceModel;
  /** Created for the run and no event so far: deleted when the grace period ends, unless one comes. */
  readonly removalPending?: boolean;
  readonly label?: LabelModel;
  /** Why the label's model was not saved, when asked to. */
  readonly labelNote?: string;
  readonly events: number;
}

/** Settle waits at most this long, and polls this often. */
export const MAX_SETTLE_MS = 10_000;
export const DEFAULT_SETTLE_MS = 250;
const SETTLE_POLL_MS = 20;

export interface CanisterParts {
  readonly registry: NamespaceRegistry;
  readonly pipeline: Pipeline;
  readonly routes: CanisterRoutes;
  readonly labels: LabelModelStore;
  /** How long a finished canister's late events are still routed (the routes' grace). */
  readonly graceMs?: number;
  /** Checked before any model is loaded; none: every model loads. */
  readonly modelLock?: ModelLock;
  readonly now?: () => number;
}

export class Canisters {
  /** Namespaces a canister created and whose fate (kept or deleted) is open while canisters run. */
  private readonly createdHere = new Set<string>();
  /** Starts run one at a time: two canisters creating one namespace must not race. */
  private starting: Promise<unknown> = Promise.resolve();
  /** The checks due when a finished canister's grace period ends. */
  private readonly pending = new Map<() => Promise<void>, NodeJS.Timeout>();
  private readonly now: () => number;
  private readonly graceMs: number;

  constructor(private readonly parts: CanisterParts) {
    this.now = parts.now ?? Date.now;
    this.graceMs = parts.graceMs ?? FINISHED_ROUTE_MS;
  }

  start(req: CanisterStartRequest): Promise<RunningCanister> {
    const run = this.starting.then(() => this.doStart(req));
    this.starting = run.catch(() => undefined);
    return run;
  }

  private async doStart(req: CanisterStartRequest): Promise<RunningCanister> {
    const { registry, pipeline, routes, labels } = this.parts;
    if (!req.host) throw invalid('host: the host the cgroup is on is required');
    const label = req.label ?? '';
    if (label) checkLabelName(label);
    const name = req.namespace || label;
    if (!name) throw invalid('namespace: a namespace or a label is required');
    checkNamespaceName(name);
    routes.check(req.host, req.cgroupId, req.cgroupPath ?? '');
    let created = false;
    let modelSource: RunningCanister['modelSource'] = '';
    const existing = registry.get(name);
    const stored = !existing && !req.model && label ? await labels.get(label) : undefined;
    // Refused models change nothing: checked before the namespace is made.
    if (req.model !== undefined)
      this.parts.modelLock?.(name, req.model, req.modelSignature, existing);
    else if (stored)
      try {
        this.parts.modelLock?.(name, stored.model, stored.signature, existing);
      } catch (err) {
        throw new EngineError(
          'TSEM_PERMISSION',
          `label ${label}'s stored model cannot start namespace ${name}: ${(err as Error).message}; store a signed one: tsem label export ${label} -o ${label}.model, tsem model sign, tsem label save ${label} --model ${label}.model`,
          { cause: err }
        );
      }
    try {
      if (!registry.get(name)) {
        await registry.create({
          id: name,
          digest: stored?.digest ?? (req.digest || undefined),
          dialect: stored?.dialect,
        });
        created = true;
        this.createdHere.add(name);
      }
      const text = req.model ?? (created ? stored?.model : undefined);
      if (text !== undefined) {
        modelSource = req.model !== undefined ? 'request' : 'label';
        await this.load(name, text, req.model !== undefined ? 'model' : `label ${label}`);
      }
      const mode = req.mode ?? (created ? (modelSource ? 'sealed' : 'learn') : undefined);
      if (mode) await pipeline.control(name, (ns) => ns.setMode(mode));
    } catch (err) {
      // A namespace made for a canister that never started goes with it.
      if (created) {
        this.createdHere.delete(name);
        await this.remove(name);
      }
      throw err;
    }
    const route = routes.add({
      host: req.host,
      cgroupId: req.cgroupId,
      cgroupPath: req.cgroupPath ?? '',
      namespace: name,
      label,
      command: req.command ?? '',
    });
    return { route, label, created, modelSource };
  }

  /** The canister's namespace now (undefined once deleted). */
  namespaceOf(c: RunningCanister): NamespaceModel | undefined {
    return this.parts.registry.get(c.route.namespace);
  }

  /** Parses first (a bad model changes nothing), then loads in the namespace's order. */
  private async load(name: string, text: string, source: string): Promise<void> {
    const model = parseModelFile(text, this.parts.registry.require(name).alg, source);
    await this.parts.pipeline.control(name, (ns) => ns.loadModel(model));
  }

  /**
   * Ends a canister once its cgroup has been quiet for `settleMs`, then stores a learn-mode run's
   * model under the label (`saveLabel`). Events can lag behind the workload (the audit source
   * hashes every file it reports), so the route keeps routing them for the grace period; when it
   * ends, a namespace created for the run that never got an event is deleted, and a label whose
   * namespace learned more since is stored again.
   */
  async finish(
    c: RunningCanister,
    opts: { saveLabel: boolean; settleMs?: number }
  ): Promise<CanisterEnd> {
    const { registry, pipeline, routes } = this.parts;
    const name = c.route.namespace;
    await this.settle(c.route, Math.min(opts.settleMs ?? DEFAULT_SETTLE_MS, MAX_SETTLE_MS));
    // Orders after every event routed so far: their effects are in the namespace.
    if (registry.get(name)) await pipeline.control(name, () => undefined);
    routes.finish(c.route);
    const ns = registry.get(name);
    const events = c.route.events;
    if (!ns)
      return { events, labelNote: opts.saveLabel ? `namespace ${name} was deleted` : undefined };
    const wanted = opts.saveLabel && c.label !== '';
    const saved = wanted ? await this.saveLabel(c.label, ns) : {};
    const removalPending = this.unused(name, ns);
    this.afterGrace(name, wanted ? c.label : '', saved.label?.points ?? 0);
    return { namespace: ns, events, removalPending, ...saved };
  }

  /** Created by a canister, none running in it, and no event ever: removable. */
  private unused(name: string, ns: NamespaceModel): boolean {
    const { routes } = this.parts;
    return (
      this.createdHere.has(name) &&
      routes.liveFor(name) === 0 &&
      ns.eventCount === 0 &&
      routes.routedInto(name) === 0
    );
  }

  /** `label`: the label to store again if late events taught the namespace more than `savedPoints`. */
  private afterGrace(name: string, label: string, savedPoints: number): void {
    const check = () => this.graceEnded(name, label, savedPoints);
    const timer = setTimeout(() => {
      this.pending.delete(check);
      void check().catch(() => undefined);
    }, this.graceMs);
    timer.unref();
    this.pending.set(check, timer);
  }

  private async graceEnded(name: string, label: string, savedPoints: number): Promise<void> {
    const { registry, pipeline, routes } = this.parts;
    if (!registry.get(name)) return;
    await pipeline.control(name, () => undefined);
    const ns = registry.get(name);
    // Nothing yields from the check to the deletion, so no event can be routed in between.
    if (!ns || routes.liveFor(name) > 0) return;
    if (this.unused(name, ns)) {
      routes.forgetNamespace(name);
      this.createdHere.delete(name);
      await this.remove(name);
      return;
    }
    this.createdHere.delete(name);
    if (label && ns.mode === 'learn' && ns.validPointCount() > savedPoints)
      await this.saveLabel(label, ns);
  }

  /** Ends every grace period now (the engine stops: no late event can come any more). */
  async close(): Promise<void> {
    const checks = [...this.pending];
    this.pending.clear();
    for (const [check, timer] of checks) {
      clearTimeout(timer);
      await check().catch(() => undefined);
    }
  }

  private async saveLabel(
    label: string,
    ns: NamespaceModel
  ): Promise<{ label?: LabelModel; labelNote?: string }> {
    // Only what a run learned is stored; a sealed or audit run checks the model, it does not change it.
    if (ns.mode !== 'learn') return {};
    if (ns.validPointCount() === 0)
      return { labelNote: `namespace ${ns.id} has no points to store` };
    const model = labelModelOf(label, ns, `namespace ${ns.id}`, this.now());
    await this.parts.labels.put(model);
    return { label: model };
  }

  private async settle(route: CanisterRoute, settleMs: number): Promise<void> {
    const asked = this.now();
    const deadline = asked + MAX_SETTLE_MS;
    for (;;) {
      const now = this.now();
      const quietSince = Math.max(route.lastEventMs, asked);
      if (now - quietSince >= settleMs || now >= deadline) return;
      await new Promise((r) => setTimeout(r, Math.min(SETTLE_POLL_MS, settleMs)));
    }
  }

  /** Deletes a namespace the way Control.DeleteNamespace does. */
  private async remove(name: string): Promise<void> {
    const { registry, pipeline } = this.parts;
    if (!registry.get(name)) return;
    await registry.delete(name);
    pipeline.retire(name);
  }
}

/** A namespace's current model as a label's stored model. */
export function labelModelOf(
  label: string,
  ns: NamespaceModel,
  source: string,
  now: number
): LabelModel {
  return {
    label,
    model: formatModelFile(ns.exportModel()),
    digest: ns.alg.name,
    dialect: ns.config.dialect,
    points: ns.validPointCount(),
    updatedMs: now,
    source,
  };
}

/** Labels name namespaces, so they follow the same rules. */
export function checkLabelName(label: string): void {
  try {
    checkNamespaceName(label);
  } catch {
    throw invalid(
      `label '${label}' is invalid: expected 1-128 characters of letters, digits and . _ : @ -, starting with a letter or digit`
    );
  }
}

function invalid(message: string): EngineError {
  return new EngineError('TSEM_INVALID_ARGUMENT', message);
}
