/**
 * The labelled models (engine/canister/label-models.ts) in the engine's LevelDB store, one record
 * per label in the `labels` sublevel (added by store format 6), covered by the store MAC like the
 * namespaces (covered-sublevel.ts): a label's model edited offline is refused at start.
 */
import { EngineError } from '../../common/errors.js';
import type { LabelModel, LabelModelStore, LabelSummary } from '../canister/label-models.js';
import type { CoveredSublevel } from './covered-sublevel.js';
import type { LevelStore } from './level-store.js';

export const LABELS_SUBLEVEL = 'labels';

export class LevelLabelStore implements LabelModelStore {
  private constructor(private readonly db: CoveredSublevel<LabelModel>) {}

  /** Opens the labels of `store`; with a store key, refuses them if changed outside the engine. */
  static async open(store: LevelStore): Promise<LevelLabelStore> {
    return new LevelLabelStore(await store.covered<LabelModel>(LABELS_SUBLEVEL));
  }

  async get(label: string): Promise<LabelModel | undefined> {
    return await this.db.get(label);
  }

  async put(model: LabelModel): Promise<void> {
    try {
      await this.db.write(model.label, model);
    } catch (err) {
      throw new EngineError(
        'TSEM_STORE',
        `label ${model.label}: storing its model failed: ${(err as Error).message}`,
        { cause: err }
      );
    }
  }

  async delete(label: string): Promise<boolean> {
    if ((await this.db.get(label)) === undefined) return false;
    await this.db.write(label, undefined);
    return true;
  }

  async list(): Promise<LabelSummary[]> {
    const out: LabelSummary[] = [];
    for await (const m of this.db.values()) {
      const { model: _model, signature, provenance: _p, ...summary } = m;
      out.push({ ...summary, signed: signature !== undefined });
    }
    return out;
  }
}
