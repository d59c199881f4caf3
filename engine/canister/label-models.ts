/**
 * Models stored per label: a workload's name (an image, a service) rather than a container id,
 * so the next `tsem run --label L` starts from what earlier runs learned. The engine keeps them in
 * its LevelDB store (engine/store/label-store.ts); a fleet can put the same interface over a store
 * every engine shares, so every host's namespace of a label starts from one model.
 */
import type { Dialect } from '../measure/mapper.js';

export interface LabelModel {
  readonly label: string;
  /** Quixote model file text (tsem-model.md §4.2). */
  readonly model: string;
  readonly digest: string;
  readonly dialect: Dialect;
  readonly points: number;
  readonly updatedMs: number;
  /** Where the model came from, e.g. "namespace web" or "loaded". */
  readonly source: string;
  /** A detached Ed25519 signature of `model`, when it was stored with one (TSEM's model lock). */
  readonly signature?: string;
  /** A promoted (merged) model: which sources hold each point (docs/fleet.md §5). */
  readonly provenance?: LabelProvenance;
}

export interface LabelProvenance {
  /** The merged sources, in order: `NS` (a pool namespace), `HOST/NS`, `label L`. */
  readonly sources: readonly string[];
  /** Per point (coefficient hex): indexes into `sources` of those holding it. */
  readonly points: Readonly<Record<string, readonly number[]>>;
}

export type LabelSummary = Omit<LabelModel, 'model' | 'signature' | 'provenance'> & {
  readonly signed: boolean;
};

/**
 * The contract a store of labelled models keeps (LevelDB here; a shared bucket for a fleet):
 * - records are whole LabelModel values, plain JSON; `put` replaces a label's record whole (last
 *   writer wins), and the signature travels with the model text it signs, never apart;
 * - `get` after a `put` that resolved returns that record (or a later one): a canister started
 *   after a learning run ended starts from its model;
 * - label names are checked by the caller (checkLabelName), not by the store;
 * - failures throw an EngineError (`TSEM_STORE`) naming the label; nothing is half written.
 * The store does not verify signatures: the engine's model lock does, each time a model loads.
 */
export interface LabelModelStore {
  get(label: string): Promise<LabelModel | undefined>;
  /** Replaces the label's model. */
  put(model: LabelModel): Promise<void>;
  /** Whether there was a model to delete. */
  delete(label: string): Promise<boolean>;
  /** Every label, by name. */
  list(): Promise<LabelSummary[]>;
}

/** An in-memory store: for engines without persistence and for tests. */
export class MemoryLabelStore implements LabelModelStore {
  private readonly models = new Map<string, LabelModel>();

  get(label: string): Promise<LabelModel | undefined> {
    return Promise.resolve(this.models.get(label));
  }

  put(model: LabelModel): Promise<void> {
    this.models.set(model.label, model);
    return Promise.resolve();
  }

  delete(label: string): Promise<boolean> {
    return Promise.resolve(this.models.delete(label));
  }

  list(): Promise<LabelSummary[]> {
    return Promise.resolve(
      [...this.models.values()]
        .sort((a, b) => a.label.localeCompare(b.label))
        .map(({ model: _model, signature, provenance: _p, ...summary }) => ({
          ...summary,
          signed: signature !== undefined,
        }))
    );
  }
}
