/**
 * A shard worker thread (engine/shard/shard-pool.ts starts them): its ShardHost answers the main
 * thread's messages in order, and gives memory back after a burst as the engine's main thread
 * does (common/idle-memory.ts).
 */
import { parentPort } from 'node:worker_threads';
import { IdleMemory } from '../../common/idle-memory.js';
import { ShardHost } from './shard-host.js';
import type { ToShard } from './shard-messages.js';

const port = parentPort;
if (!port) throw new Error('shard-thread.js runs as a worker thread');
const host = new ShardHost();
// A worker's heap grows with a burst as the main thread's does, and gives it back the same way.
new IdleMemory({ activity: () => host.runs, startupBurst: true }).start();
port.on('message', (m: ToShard) => {
  const reply = host.handle(m);
  // A run's outcome rows go over by transfer, not by copy.
  if (reply)
    port.postMessage(
      reply,
      'outcomes' in reply ? [reply.outcomes.rows.buffer, reply.outcomes.ids.buffer] : []
    );
});
