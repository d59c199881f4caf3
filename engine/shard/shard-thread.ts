/**
 * A shard worker thread (engine/shard/shard-pool.ts starts them): its ShardHost answers the main
 * thread's messages in order.
 */
import { parentPort } from 'node:worker_threads';
import { ShardHost } from './shard-host.js';
import type { ToShard } from './shard-messages.js';

const port = parentPort;
if (!port) throw new Error('shard-thread.js runs as a worker thread');
const host = new ShardHost();
port.on('message', (m: ToShard) => {
  const reply = host.handle(m);
  // A run's outcome rows go over by transfer, not by copy.
  if (reply)
    port.postMessage(
      reply,
      'outcomes' in reply ? [reply.outcomes.rows.buffer, reply.outcomes.ids.buffer] : []
    );
});
