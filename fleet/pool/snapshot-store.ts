/**
 * Namespace snapshots in JetStream (docs/fleet.md §4): one key per namespace in a key-value
 * bucket, holding the applied stream sequence and the namespace's plain-JSON form; a snapshot
 * larger than `inlineMax` goes to the object store under a name of its own and the key points at
 * it. Every write is a compare-and-set on the key's revision, so the snapshot is also the fence: an
 * engine that lost a namespace (its lease lapsed, another took over and wrote) fails its next write
 * and stops, and can never overwrite the new owner's state.
 */
import type { KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import { EngineError, errorMessage } from '../../common/errors.js';
import type { NamespaceSnapshot } from '../../engine/ns/namespace-snapshot.js';
import { decodeToken, encodeToken } from '../nats/names.js';

export const SNAPSHOT_VERSION = 1;

/** What the key holds. */
export interface SnapshotRecord {
  readonly v: number;
  readonly ns: string;
  /** The last event stream sequence whose events the state includes (0: none). */
  readonly seq: number;
  readonly owner: string;
  readonly atMs: number;
  /** The namespace, inline; absent before its first snapshot or when `object` is set. */
  readonly state?: NamespaceSnapshot;
  /** The object holding the namespace when it was too large to inline. */
  readonly object?: string;
  /** Per exporter session (`host NUL session`): the last event number the state includes. */
  readonly sessions?: readonly [string, number][];
}

export interface ReadSnapshot {
  readonly record?: SnapshotRecord;
  readonly state?: NamespaceSnapshot;
  /** The key's revision (0: no key). */
  readonly revision: number;
}

/** A write lost its compare-and-set: another engine owns the namespace now. */
export class FencedError extends Error {
  override readonly name = 'FencedError';
}

const WRONG_LAST_SEQUENCE = 10071;

export class SnapshotStore {
  constructor(
    private readonly kv: KV,
    private readonly objects: ObjectStore,
    private readonly inlineMax = 512 * 1024
  ) {}

  async read(ns: string): Promise<ReadSnapshot> {
    const e = await this.kv.get(encodeToken(ns));
    if (!e || e.operation !== 'PUT') return { revision: e?.revision ?? 0 };
    let record: SnapshotRecord;
    try {
      record = e.json<SnapshotRecord>();
    } catch (err) {
      throw new EngineError(
        'TSEM_STORE',
        `namespace ${ns}: its fleet snapshot is not JSON: ${errorMessage(err)}`
      );
    }
    if (record.v !== SNAPSHOT_VERSION || record.ns !== ns || !Number.isSafeInteger(record.seq))
      throw new EngineError(
        'TSEM_STORE',
        `namespace ${ns}: its fleet snapshot has version ${record.v} for '${record.ns}' at ${record.seq}; expected version ${SNAPSHOT_VERSION} of this namespace`
      );
    let state = record.state;
    if (record.object !== undefined) {
      const blob = await this.objects.getBlob(record.object);
      if (!blob)
        throw new EngineError(
          'TSEM_STORE',
          `namespace ${ns}: snapshot object ${record.object} is missing`
        );
      state = JSON.parse(Buffer.from(blob).toString('utf8')) as NamespaceSnapshot;
    }
    return { record, state, revision: e.revision };
  }

  /**
   * Writes the snapshot if the key is still at `revision` (0: absent); returns the new revision
   * and what the key now holds.
   * Throws FencedError when another engine wrote in between.
   */
  async write(
    ns: string,
    r: Omit<SnapshotRecord, 'v' | 'ns' | 'object'>,
    revision: number,
    previous?: SnapshotRecord
  ): Promise<{ revision: number; record: SnapshotRecord }> {
    const key = encodeToken(ns);
    let record: SnapshotRecord = { v: SNAPSHOT_VERSION, ns, ...r };
    let object: string | undefined;
    const text = JSON.stringify(record);
    if (r.state !== undefined && text.length > this.inlineMax) {
      // Named by sequence and owner: a fenced writer's object can never replace the owner's.
      object = `${key}/${r.seq}-${r.owner}`;
      await this.objects.putBlob({ name: object }, Buffer.from(JSON.stringify(r.state)));
      record = {
        v: SNAPSHOT_VERSION,
        ns,
        seq: r.seq,
        owner: r.owner,
        atMs: r.atMs,
        object,
        ...(r.sessions ? { sessions: r.sessions } : {}),
      };
    }
    let rev: number;
    try {
      rev =
        revision === 0
          ? await this.kv.create(key, JSON.stringify(record))
          : await this.kv.update(key, JSON.stringify(record), revision);
    } catch (err) {
      if (object !== undefined) await this.objects.delete(object).catch(() => undefined);
      if (isWrongSequence(err))
        throw new FencedError(
          `namespace ${ns}: another engine wrote its snapshot (revision moved past ${revision})`
        );
      throw err;
    }
    if (previous?.object !== undefined && previous.object !== object)
      await this.objects.delete(previous.object).catch(() => undefined);
    return { revision: rev, record };
  }

  /** Every namespace that has a snapshot key. */
  async namespaces(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of await this.kv.keys()) {
      try {
        out.push(decodeToken(k));
      } catch {
        // a key this program did not write: not a namespace
      }
    }
    return out;
  }
}

export function isWrongSequence(err: unknown): boolean {
  const e = err as { code?: unknown; api_error?: { err_code?: unknown } };
  return (
    e?.code === WRONG_LAST_SEQUENCE ||
    e?.api_error?.err_code === WRONG_LAST_SEQUENCE ||
    /wrong last sequence|key exists/i.test(errorMessage(err))
  );
}
