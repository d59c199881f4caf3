/**
 * The fleet's one store of labelled models (docs/fleet.md §5): the LabelModelStore contract
 * (engine/canister/label-models.ts) over a JetStream key-value bucket, so every engine of the pool
 * starts a label's namespaces from the same model whatever host runs the workload. A record too
 * large for one message goes to the object store and the key names it. Task trust stays per host:
 * only models are shared. Points learned on several hosts reach a label's model only when someone
 * saves one namespace's model under it (`tsem label save`) or promotes several (`tsem model
 * merge`): a compare-and-set on the key's revision (putIfUnchanged), so of two promoters that read
 * the same model exactly one writes.
 */
import type { KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import { EngineError, errorMessage } from '../../common/errors.js';
import type {
  LabelModel,
  LabelModelStore,
  LabelSummary,
} from '../../engine/canister/label-models.js';
import { decodeToken, encodeToken } from '../nats/names.js';
import { isWrongSequence } from '../pool/snapshot-store.js';

/** Above this a record goes to the object store (a message is at most 1 MiB by default). */
const INLINE_MAX = 512 * 1024;

interface Pointer {
  readonly label: string;
  readonly object: string;
}

export class BucketLabelStore implements LabelModelStore {
  constructor(
    private readonly kv: KV,
    private readonly objects: ObjectStore
  ) {}

  async get(label: string): Promise<LabelModel | undefined> {
    return (await this.getVersioned(label)).model;
  }

  /** The label's model and the key's revision (0: never written), for putIfUnchanged. */
  async getVersioned(label: string): Promise<{ model?: LabelModel; revision: number }> {
    try {
      const e = await this.kv.get(encodeToken(label));
      if (!e) return { revision: 0 };
      if (e.operation !== 'PUT') return { revision: e.revision };
      const v = e.json<LabelModel | Pointer>();
      if (!('object' in v)) return { model: v, revision: e.revision };
      const blob = await this.objects.getBlob(v.object);
      if (!blob) throw new Error(`its object ${v.object} is missing`);
      return {
        model: JSON.parse(Buffer.from(blob).toString('utf8')) as LabelModel,
        revision: e.revision,
      };
    } catch (err) {
      throw failed(label, 'reading', err);
    }
  }

  /**
   * Replaces the label's model only if the key is still at `revision` (0: still absent or
   * deleted); false when another writer came first (nothing written). Returns the new revision.
   */
  async putIfUnchanged(model: LabelModel, revision: number): Promise<number | false> {
    const key = encodeToken(model.label);
    const text = JSON.stringify(model);
    let value = text;
    let object: string | undefined;
    try {
      const old = revision === 0 ? undefined : await this.kv.get(key);
      if (text.length > INLINE_MAX) {
        object = `label/${key}/${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
        await this.objects.putBlob({ name: object }, Buffer.from(text));
        value = JSON.stringify({ label: model.label, object } satisfies Pointer);
      }
      let written: number;
      try {
        written =
          revision === 0
            ? await this.kv.create(key, value)
            : await this.kv.update(key, value, revision);
      } catch (err) {
        if (!isWrongSequence(err)) throw err;
        if (object !== undefined) await this.objects.delete(object).catch(() => undefined);
        return false;
      }
      if (old?.revision === revision && old.operation === 'PUT')
        await this.dropObject(old.json<LabelModel | Pointer>());
      return written;
    } catch (err) {
      throw failed(model.label, 'storing', err);
    }
  }

  async put(model: LabelModel): Promise<void> {
    const key = encodeToken(model.label);
    try {
      const text = JSON.stringify(model);
      const old = await this.kv.get(key);
      if (text.length <= INLINE_MAX) await this.kv.put(key, text);
      else {
        const object = `label/${key}/${Date.now()}`;
        await this.objects.putBlob({ name: object }, Buffer.from(text));
        await this.kv.put(key, JSON.stringify({ label: model.label, object } satisfies Pointer));
      }
      await this.dropObject(
        old?.operation === 'PUT' ? old.json<LabelModel | Pointer>() : undefined
      );
    } catch (err) {
      throw failed(model.label, 'storing', err);
    }
  }

  async delete(label: string): Promise<boolean> {
    const key = encodeToken(label);
    try {
      const old = await this.kv.get(key);
      if (!old || old.operation !== 'PUT') return false;
      await this.kv.delete(key);
      await this.dropObject(old.json<LabelModel | Pointer>());
      return true;
    } catch (err) {
      throw failed(label, 'deleting', err);
    }
  }

  async list(): Promise<LabelSummary[]> {
    const out: LabelSummary[] = [];
    let keys: string[];
    try {
      keys = [];
      for await (const k of await this.kv.keys()) keys.push(k);
    } catch (err) {
      throw new EngineError(
        'TSEM_STORE',
        `listing the fleet's labelled models failed: ${errorMessage(err)}`,
        { cause: err }
      );
    }
    for (const k of keys) {
      let label: string;
      try {
        label = decodeToken(k);
      } catch {
        continue;
      }
      const m = await this.get(label);
      if (!m) continue;
      const { model: _model, signature, provenance: _p, ...summary } = m;
      out.push({ ...summary, signed: signature !== undefined });
    }
    return out.sort((a, b) => a.label.localeCompare(b.label));
  }

  private async dropObject(old: LabelModel | Pointer | undefined): Promise<void> {
    if (old && 'object' in old) await this.objects.delete(old.object).catch(() => undefined);
  }
}

function failed(label: string, what: string, err: unknown): EngineError {
  return err instanceof EngineError
    ? err
    : new EngineError(
        'TSEM_STORE',
        `label ${label}: ${what} its model in the fleet failed: ${errorMessage(err)}`,
        {
          cause: err,
        }
      );
}
