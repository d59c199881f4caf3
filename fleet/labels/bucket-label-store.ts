/**
 * The fleet's one store of labelled models (docs/fleet.md §5): the LabelModelStore contract
 * (engine/canister/label-models.ts) over a JetStream key-value bucket, so every engine of the pool
 * starts a label's namespaces from the same model whatever host runs the workload. A record too
 * large for one message goes to the object store and the key names it. Task trust stays per host:
 * only models are shared. Points learned on several hosts reach a label's model only when someone
 * saves one namespace's model under it (`tsem label save`), never by two writers merging.
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
    try {
      const e = await this.kv.get(encodeToken(label));
      if (!e || e.operation !== 'PUT') return undefined;
      const v = e.json<LabelModel | Pointer>();
      if (!('object' in v)) return v;
      const blob = await this.objects.getBlob(v.object);
      if (!blob) throw new Error(`its object ${v.object} is missing`);
      return JSON.parse(Buffer.from(blob).toString('utf8')) as LabelModel;
    } catch (err) {
      throw failed(label, 'reading', err);
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
    for await (const k of await this.kv.keys()) {
      let label: string;
      try {
        label = decodeToken(k);
      } catch {
        continue;
      }
      const m = await this.get(label);
      if (!m) continue;
      const { model: _model, signature, ...summary } = m;
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
