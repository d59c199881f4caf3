/**
 * Calls its listeners each time the connection comes back after a disconnection (a server
 * restart). Consumers and watchers restart from where they were then: NATS 2.9 forgets ephemeral
 * consumers when it restarts, and waiting for missed heartbeats would take tens of seconds.
 */
import type { NatsConnection } from '@nats-io/transport-node';

export class Reconnects {
  private readonly listeners = new Set<() => void>();

  constructor(nc: NatsConnection) {
    void (async () => {
      for await (const s of nc.status())
        if (s.type === 'reconnect') for (const f of this.listeners) f();
    })();
  }

  /** Returns the function that removes the listener. */
  on(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
