/**
 * `tsem model merge` (docs/fleet.md §5): several namespaces' models promoted into one label's model
 * in the labels bucket, by one explicit writer. The sources are pool namespaces (their fleet
 * snapshots), hosts' own engines' namespaces (`HOST/NS`, the host-models bucket) and, unless
 * replaced, the label's current model; the merge is pure (engine/contour/merge-sources.ts); the write is a compare-and-set on the revision read before
 * merging, so of two promoters that started from the same model exactly one wins and the other
 * writes nothing. Only models move: task trust stays with each namespace.
 */
import { EngineError } from '../../common/errors.js';
import type { LabelModel } from '../../engine/canister/label-models.js';
import {
  type MergedModel,
  type MergeInput,
  mergeSources,
} from '../../engine/contour/merge-sources.js';
import { formatModelFile, parseModelFile } from '../../engine/contour/model-file.js';
import { createDigest } from '../../engine/measure/digest.js';
import { restoreNamespace } from '../../engine/ns/namespace-snapshot.js';
import type { FleetStores } from '../nats/setup.js';
import { hostModelKey } from '../nats/names.js';
import { SnapshotStore } from '../pool/snapshot-store.js';
import { hostModelInput } from '../publish/host-models.js';
import { BucketLabelStore } from './bucket-label-store.js';

export interface PromoteRequest {
  readonly label: string;
  readonly namespaces: readonly string[];
  /** Leave the label's current model out (default: it is one of the sources). */
  readonly replace: boolean;
  /** Merge and report, write nothing. */
  readonly dryRun: boolean;
  readonly now: number;
}

export interface PromoteResult {
  readonly merged: MergedModel;
  readonly label: LabelModel;
  /** The label's revision read before merging (0: none). */
  readonly from: number;
  /** The revision written; undefined for a dry run. */
  readonly revision?: number;
}

/** Another promotion (or a save) changed the label first: nothing was written. */
export class PromotionRaceError extends EngineError {
  constructor(label: string, revision: number) {
    super(
      'TSEM_UNAVAILABLE',
      `label ${label}: its model changed while merging (revision ${revision} is no longer the latest: another promotion or save won); nothing written, run the merge again`
    );
  }
}

async function namespaceInput(snapshots: SnapshotStore, ns: string): Promise<MergeInput> {
  const r = await snapshots.read(ns);
  if (!r.state)
    throw new EngineError(
      'TSEM_NAMESPACE',
      `namespace ${ns}: the fleet has no snapshot of it (not a pool namespace, or no event applied yet)`
    );
  const model = restoreNamespace(r.state);
  const file = model.exportModel(true);
  const valid = new Set(model.exportModel().states.map((s) => s.toString('hex')));
  return {
    name: ns,
    digest: file.digest,
    dialect: model.config.dialect,
    mode: model.mode,
    sealed: file.sealed,
    base: file.base,
    aggregate: file.aggregate,
    states: file.states.filter((s) => valid.has(s.toString('hex'))),
    forensics: file.states.filter((s) => !valid.has(s.toString('hex'))),
    pseudonyms: file.pseudonyms,
  };
}

function labelInput(m: LabelModel): MergeInput {
  const f = parseModelFile(m.model, createDigest(m.digest), `label ${m.label}`);
  return {
    name: `label ${m.label}`,
    digest: m.digest,
    dialect: m.dialect,
    sealed: f.sealed,
    base: f.base,
    aggregate: f.aggregate,
    states: f.states,
    pseudonyms: f.pseudonyms,
  };
}

/** `HOST/NS`: what a host's own engine published (docs/fleet.md §7). */
async function hostInput(stores: FleetStores, name: string): Promise<MergeInput> {
  const cut = name.indexOf('/');
  const host = name.slice(0, cut);
  const ns = name.slice(cut + 1);
  if (host === '' || ns === '')
    throw new EngineError('TSEM_INVALID_ARGUMENT', `expected NS or HOST/NS, got '${name}'`);
  const e = await stores.hostModels.get(hostModelKey(host, ns));
  if (!e || e.operation !== 'PUT')
    throw new EngineError(
      'TSEM_NAMESPACE',
      `namespace ${ns} of host ${host}: the fleet has no model of it (its engine runs with --nats --no-pool and publishes every few seconds)`
    );
  return hostModelInput(e.string(), `host model ${name}`);
}

export async function promote(stores: FleetStores, req: PromoteRequest): Promise<PromoteResult> {
  const labels = new BucketLabelStore(stores.labels, stores.objects);
  const snapshots = new SnapshotStore(stores.snapshots, stores.objects);
  const current = await labels.getVersioned(req.label);
  const inputs: MergeInput[] = [];
  if (current.model && !req.replace) inputs.push(labelInput(current.model));
  for (const ns of req.namespaces)
    inputs.push(
      ns.includes('/') ? await hostInput(stores, ns) : await namespaceInput(snapshots, ns)
    );
  const merged = mergeSources(inputs);
  const fatal = merged.conflicts.filter((c) => c.fatal);
  if (fatal.length > 0)
    throw new EngineError(
      'TSEM_MODEL_FILE',
      `label ${req.label}: the models cannot be merged: ${fatal.map((c) => `${c.kind} differs (${c.detail})`).join('; ')}`
    );
  const label: LabelModel = {
    label: req.label,
    model: formatModelFile(merged.model),
    digest: merged.model.digest,
    dialect: merged.dialect,
    points: merged.model.states.length,
    updatedMs: req.now,
    source: `merged from ${merged.sources.join(', ')}`,
    provenance: { sources: merged.sources, points: merged.provenance },
  };
  if (req.dryRun) return { merged, label, from: current.revision };
  const revision = await labels.putIfUnchanged(label, current.revision);
  if (revision === false) throw new PromotionRaceError(req.label, current.revision);
  return { merged, label, from: current.revision, revision };
}
