/**
 * Namespaces decided in worker threads. Each namespace is owned by one worker (ordering per
 * namespace kept: its runs go to that worker one at a time, in order), which holds a copy of
 * the main thread's model of it, the mirror. A run's events are parsed and modeled in the worker;
 * its delta comes back and the mirror applies it (write-behind.ts), so everything that reads a
 * namespace (stages, the store's one writer, control, the console) still reads the mirror.
 * Control actions run on the mirror and their changes go to the worker before its next run.
 *
 * A worker that fails or exits fails its pending runs (not acknowledged, so not lost: the
 * exporter sends them again) and is replaced; its namespaces are copied again from their mirrors.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EngineError } from '../../common/errors.js';
import type { ModelDelta, NamespaceModel } from '../ns/namespace-model.js';
import type { IncomingEvent } from '../ns/pipeline-work.js';
import { reviveDelta } from './delta-wire.js';
import { decodeOutcomes } from './outcome-codec.js';
import type { ShardResult, ShardRun, ShardRunner } from '../ns/shard-port.js';
import type { FromShard, PackedEvents, ShardStats, ToShard } from './shard-messages.js';

/** Most shard workers: twice the cores (more would only take turns on them). */
export const MAX_SHARD_WORKERS = Math.max(1, Math.min(64, availableParallelism() * 2));

interface Waiting {
  /** The run's namespace (none for a stats request). */
  readonly ns?: string;
  readonly resolve: (m: Exclude<FromShard, { error: string }>) => void;
  readonly reject: (e: Error) => void;
}

interface Thread {
  worker: Worker;
  readonly waiting: Map<number, Waiting>;
  readonly owned: Set<string>;
  /** Gives the worker up (it failed, exited or hangs): its runs fail, a new one takes its place. */
  lose(why: string): void;
}

export interface ShardPoolOptions {
  readonly log?: (msg: string) => void;
  /** A run not answered in this long means a worker that hangs: it is replaced (default 30 s). */
  readonly runTimeoutMs?: number;
  /** The worker's script (tests start their own). */
  readonly script?: URL;
}

interface Owner {
  readonly thread: Thread;
  readonly model: NamespaceModel;
  stamp: string;
}

/** What a namespace's two copies must agree on; a difference means the mirror changed unseen. */
function stampOf(m: NamespaceModel): string {
  return [
    m.eventCount,
    m.pointCount,
    m.findingCount,
    m.trajectory().length,
    m.forensics().length,
    m.rejectedCount,
    m.decisionEpoch,
    m.mode,
    m.editCount,
    m.resetCount,
    m.measurement.toString('hex'),
  ].join('|');
}

/** Lines packed in one buffer of their own, to be transferred rather than copied. */
function pack(events: readonly IncomingEvent[]): { events: PackedEvents; transfer: ArrayBuffer[] } {
  const lines: { readonly line: Buffer }[] = [];
  for (const e of events) if ('line' in e) lines.push(e);
  if (lines.length < events.length) return { events: { kind: 'mixed', events }, transfer: [] };
  const ends = new Uint32Array(lines.length);
  let at = 0;
  for (let i = 0; i < lines.length; i++) ends[i] = at += lines[i]!.line.length;
  // A buffer of its own (transferable), not zero-filled: 7× less than a Uint8Array and set() per
  // line (measured, 1024 lines of 600 bytes).
  const b = Buffer.allocUnsafeSlow(at);
  at = 0;
  for (const e of lines) at += e.line.copy(b, at);
  const data = new Uint8Array(b.buffer, b.byteOffset, b.length);
  return { events: { kind: 'lines', data, ends }, transfer: [data.buffer, ends.buffer] };
}

export class ShardPool implements ShardRunner {
  private readonly threads: Thread[] = [];
  private readonly owners = new Map<string, Owner>();
  private nextId = 0;
  private closed = false;
  private replaced = 0;

  private readonly log: (msg: string) => void;
  private readonly script: URL;
  private readonly runTimeoutMs: number;

  constructor(
    readonly size: number,
    opts: ShardPoolOptions = {}
  ) {
    this.log = opts.log ?? (() => undefined);
    this.script = opts.script ?? new URL('./shard-thread.js', import.meta.url);
    this.runTimeoutMs = opts.runTimeoutMs ?? 30_000;
    if (!Number.isInteger(size) || size < 1 || size > MAX_SHARD_WORKERS)
      throw new EngineError(
        'TSEM_INVALID_ARGUMENT',
        `shard workers: expected an integer from 1 to ${MAX_SHARD_WORKERS}, got ${size}`
      );
    for (let i = 0; i < size; i++) {
      const t: Thread = {
        worker: undefined as unknown as Worker,
        waiting: new Map(),
        owned: new Set(),
        lose: () => undefined,
      };
      this.start(t);
      this.threads.push(t);
    }
  }

  /**
   * Runs events of namespace `name` in its worker: the outcomes of the first events (all, unless
   * the namespace changed its mode on the way) and the delta for the mirror, which the caller
   * applies (then calls synced()). A namespace new to the pool, or whose mirror changed unseen
   * (another model object after a reload, say), is copied to a worker first.
   */
  run(name: string, mirror: NamespaceModel, req: ShardRun): Promise<ShardResult> {
    if (this.closed)
      return Promise.reject(new EngineError('TSEM_UNAVAILABLE', 'shard workers closed'));
    const owner = this.ownerFor(name, mirror);
    const id = this.nextId++;
    const { events, transfer } = pack(req.events);
    const msg: ToShard = Object.assign({}, req, { kind: 'run' as const, id, ns: name, events });
    const t = owner.thread;
    return new Promise((resolve, reject) => {
      const hung = setTimeout(
        () => t.lose(`did not answer a run in ${this.runTimeoutMs} ms`),
        this.runTimeoutMs
      );
      hung.unref();
      const done = (m: Exclude<FromShard, { error: string }>) => {
        clearTimeout(hung);
        if ('outcomes' in m)
          resolve({ outcomes: decodeOutcomes(m.outcomes), delta: reviveDelta(m.delta) });
        else reject(new Error('shard worker: a run answered with stats'));
      };
      const fail = (err: Error) => {
        clearTimeout(hung);
        reject(err);
      };
      t.waiting.set(id, { ns: name, resolve: done, reject: fail });
      t.worker.postMessage(msg, transfer);
    });
  }

  /**
   * Each worker's memory and namespaces (its own isolate's figures), in worker order; a worker
   * that does not answer within `timeoutMs` (it answers after the runs queued before) is left out.
   */
  async stats(timeoutMs = 2000): Promise<(ShardStats & { readonly worker: number })[]> {
    const asked = this.threads.map(
      (t, worker) =>
        new Promise<(ShardStats & { worker: number }) | undefined>((resolve) => {
          const id = this.nextId++;
          const timer = setTimeout(() => resolve(undefined), timeoutMs);
          const settle = (s: ShardStats | undefined) => {
            clearTimeout(timer);
            resolve(s && Object.assign({ worker }, s));
          };
          const done = (m: Exclude<FromShard, { error: string }>) =>
            settle('stats' in m ? m.stats : undefined);
          t.waiting.set(id, { resolve: done, reject: () => settle(undefined) });
          this.post(t, { kind: 'stats', id });
        })
    );
    return (await Promise.all(asked)).filter((s) => s !== undefined);
  }

  /** Workers replaced after they failed or exited, since start. */
  get restarts(): number {
    return this.replaced;
  }

  /** The mirror applied a run's delta: the two copies agree again. */
  synced(name: string, mirror: NamespaceModel): void {
    const o = this.owners.get(name);
    if (o && o.model === mirror) o.stamp = stampOf(mirror);
  }

  /** The mirror's own changes (a control action), for the worker's copy before its next run. */
  update(name: string, mirror: NamespaceModel, delta: ModelDelta): void {
    const o = this.owners.get(name);
    if (!o || o.model !== mirror) return; // copied whole at its next run
    this.post(o.thread, { kind: 'delta', ns: name, delta });
    o.stamp = stampOf(mirror);
  }

  /** The namespace is gone (deleted, retired): its copy too. */
  drop(name: string): void {
    const o = this.owners.get(name);
    if (!o) return;
    this.owners.delete(name);
    o.thread.owned.delete(name);
    this.post(o.thread, { kind: 'drop', ns: name });
  }

  async close(): Promise<void> {
    this.closed = true;
    const err = new EngineError('TSEM_UNAVAILABLE', 'shard workers closed');
    for (const t of this.threads) for (const w of t.waiting.values()) w.reject(err);
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private ownerFor(name: string, mirror: NamespaceModel): Owner {
    const o = this.owners.get(name);
    const stamp = stampOf(mirror);
    if (o && o.model === mirror && o.stamp === stamp) return o;
    if (o && o.model === mirror)
      this.log(`namespace ${name}: changed outside its order; its worker copy is made again`);
    // The worker with the fewest namespaces takes a new one; a known one stays where it is.
    const thread =
      o?.thread ?? this.threads.reduce((a, b) => (b.owned.size < a.owned.size ? b : a));
    const owner: Owner = { thread, model: mirror, stamp };
    this.owners.set(name, owner);
    thread.owned.add(name);
    this.post(thread, { kind: 'adopt', ns: name, delta: mirror.wholeDelta() });
    return owner;
  }

  private post(t: Thread, m: ToShard): void {
    t.worker.postMessage(m);
  }

  private start(t: Thread): void {
    const worker = new Worker(this.script);
    t.worker = worker;
    worker.on('message', (m: FromShard) => {
      const w = t.waiting.get(m.id);
      if (!w) return;
      t.waiting.delete(m.id);
      if ('error' in m) {
        // The worker gave its copy up: the next run copies the mirror again.
        const o = w.ns === undefined ? undefined : this.owners.get(w.ns);
        if (o?.thread === t) o.stamp = '';
        w.reject(new EngineError('TSEM_NAMESPACE', `shard worker: ${m.error}`));
        return;
      }
      w.resolve(m);
    });
    let gone = false;
    // This worker's own: its listeners keep calling it after a new worker took its place.
    const lose = (why: string) => {
      if (gone || this.closed) return;
      gone = true;
      this.log(`shard worker ${worker.threadId} ${why}: its namespaces go to a new worker`);
      const err = new EngineError('TSEM_UNAVAILABLE', `shard worker ${why}; events not applied`);
      for (const w of t.waiting.values()) w.reject(err);
      t.waiting.clear();
      for (const name of t.owned) this.owners.delete(name);
      t.owned.clear();
      void worker.terminate();
      this.replaced++;
      this.start(t);
    };
    t.lose = lose;
    worker.on('error', (err) => lose(`failed (${err.message})`));
    worker.on('exit', (code) => lose(`exited (code ${code})`));
  }
}
