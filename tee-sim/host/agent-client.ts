/**
 * The host side of the trusted modeling agent: starts the worker and turns the message interface
 * into async calls. `Controller` holds the key that may change the agent's model.
 */
import { Worker } from 'node:worker_threads';
import type { AttestationReport } from '../../engine/attest/report.js';
import type { QuoteEvidence } from '../../engine/tpm/quote-verify.js';
import { type ControlArgs, type SignedControl, signControl } from '../control-auth.js';
import type {
  AgentInit,
  AgentRequest,
  AgentResponse,
  BatchVerdict,
  EventResult,
  EventRun,
  HelloResult,
  StatusResult,
} from '../protocol.js';

/** An agent's refusal or failure, with the agent's own message. */
export class AgentError extends Error {
  override readonly name = 'AgentError';
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type RequestBody = AgentRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

export class ModelingAgent {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exitError?: Error;

  private constructor(
    private readonly worker: Worker,
    public publicKey: Uint8Array
  ) {}

  static async start(init: AgentInit): Promise<ModelingAgent> {
    const worker = new Worker(new URL('../agent/agent-worker.js', import.meta.url), {
      workerData: init,
    });
    const agent = new ModelingAgent(worker, new Uint8Array());
    worker.on('message', (res: AgentResponse) => agent.settle(res));
    worker.on('error', (err) =>
      agent.failAll(new AgentError(`agent worker failed: ${err.message}`))
    );
    worker.on('exit', (code) =>
      agent.failAll(new AgentError(`agent worker exited (code ${code})`))
    );
    try {
      const hello = (await agent.call({ type: 'hello' })) as HelloResult;
      agent.publicKey = new Uint8Array(Buffer.from(hello.publicKey, 'base64'));
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    return agent;
  }

  private settle(res: AgentResponse): void {
    const p = this.pending.get(res.id);
    if (!p) return;
    this.pending.delete(res.id);
    if (res.ok) p.resolve(res.result);
    else p.reject(new AgentError(res.error));
  }

  private failAll(err: Error): void {
    this.exitError ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private call(body: RequestBody): Promise<unknown> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id });
    });
  }

  hello(): Promise<HelloResult> {
    return this.call({ type: 'hello' }) as Promise<HelloResult>;
  }

  /** One TSEM JSON line (trajectory or export record) into namespace `ns`. */
  processEvent(ns: string, line: string | Uint8Array): Promise<EventResult> {
    const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
    return this.call({ type: 'event', ns, line: bytes }) as Promise<EventResult>;
  }

  /**
   * Many events in one message (at most MAX_EVENT_BATCH), applied as if sent one by one; resolves
   * with one answer per line, in order. Lines go as given: the worker encodes strings as UTF-8.
   */
  processEvents(runs: readonly EventRun[]): Promise<BatchVerdict[]> {
    return this.call({ type: 'events', runs }) as Promise<BatchVerdict[]>;
  }

  status(ns: string): Promise<StatusResult> {
    return this.call({ type: 'status', ns }) as Promise<StatusResult>;
  }

  /**
   * A signed report for `ns`. When `quote` is given it is called with the qualifyingData that binds
   * the TPM quote to this report (the TPM sits outside the agent, as with a real TEE).
   */
  async report(
    ns: string,
    nonce: Buffer,
    quote?: (qualifyingData: Buffer) => Promise<QuoteEvidence>
  ): Promise<AttestationReport> {
    const begun = (await this.call({ type: 'report-begin', ns, nonce: nonce.toString('hex') })) as {
      ticket: number;
      quoteNonce: string;
    };
    const evidence = quote ? await quote(Buffer.from(begun.quoteNonce, 'hex')) : undefined;
    return (await this.call({
      type: 'report-finish',
      ticket: begun.ticket,
      ...(evidence ? { quote: evidence } : {}),
    })) as AttestationReport;
  }

  control(msg: SignedControl): Promise<unknown> {
    return this.call({ type: 'control', msg });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** Signs control messages with a strictly increasing counter. */
export class Controller {
  constructor(
    private readonly secretKey: Uint8Array,
    private counter = 0
  ) {}

  next(op: string, args: ControlArgs = {}): SignedControl {
    this.counter++;
    return signControl(op, args, this.counter, this.secretKey);
  }

  get lastCounter(): number {
    return this.counter;
  }
}
