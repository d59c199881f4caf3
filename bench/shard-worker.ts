/**
 * The worker thread of the worker-scaling benchmark: models the batches the main thread sends
 * (lines packed in one transferred buffer) and posts back their records for the one writer.
 */
import { parentPort } from 'node:worker_threads';
import { type ShardBatch, ShardCore } from './shard-core.js';

export type ToShard =
  | {
      readonly kind: 'batch';
      readonly id: number;
      readonly ns: string;
      readonly data: Uint8Array;
      readonly ends: Uint32Array;
    }
  | {
      readonly kind: 'persisted';
      readonly ns: string;
      readonly trajectory: number;
      readonly forensics: number;
    };

export type FromShard =
  | { readonly id: number; readonly batch: ShardBatch }
  | { readonly id: number; readonly error: string };

const port = parentPort;
if (!port) throw new Error('shard-worker.js runs as a worker thread');
const core = new ShardCore();
port.on('message', (m: ToShard) => {
  if (m.kind === 'persisted') return core.persisted(m.ns, m.trajectory, m.forensics);
  const data = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  const lines: Buffer[] = [];
  let from = 0;
  for (const end of m.ends) lines.push(data.subarray(from, (from = end)));
  try {
    port.postMessage({ id: m.id, batch: core.apply(m.ns, lines) } satisfies FromShard);
  } catch (err) {
    port.postMessage({ id: m.id, error: (err as Error).message } satisfies FromShard);
  }
});
