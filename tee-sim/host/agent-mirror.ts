/**
 * Keeps the trusted modeling agent's copy of every namespace equal to the engine's.
 *
 * The engine's model changes in three ways, and each reaches the agent in the engine's order:
 * - events: afterVerdict (which runs in the namespace's order, as each event is applied) queues
 *   the event's kernel line; the agent maps it itself and its verdict is checked against the
 *   engine's (kind and coefficient), so any divergence is caught at the event that caused it;
 * - mode changes (Control SetMode): ns.mode is compared with the mode last sent before each event
 *   and before each report, and a signed set-mode is queued when it changed;
 * - model loads (Control LoadModel): loads add points without events, so the points the agent has
 *   not seen are the engine's points after the count it last sent (the contour map only appends);
 *   they go in a signed load-model, in map order, which is the order the engine extended them;
 * - a namespace deleted and created again (a new NamespaceModel under the same name): a signed
 *   drop-namespace, then create-namespace.
 * The queue is posted (messages to the worker keep their order) after each persisted batch, before
 * each report, and during a batch every POST_EARLY operations so the agent works alongside the
 * engine: control messages one by one, the events between them as `events` messages of at most
 * MAX_EVENT_BATCH lines (a message per event cost ~40 µs of the main thread). afterPersist awaits
 * every answer posted so far. What cannot be mirrored marks the namespace `broken` with the
 * reason, and reports for it are refused.
 */
import { formatModelFile } from '../../engine/contour/model-file.js';
import { errorMessage } from '../../common/errors.js';
import type { PipelineStage } from '../../engine/ns/stage.js';
import type { Mode, NamespaceModel } from '../../engine/ns/namespace-model.js';
import type { Controller, ModelingAgent } from './agent-client.js';
import type { ControlArgs } from '../control-auth.js';
import { type BatchVerdict, MAX_EVENT_BATCH } from '../protocol.js';

/** Queued operations that are posted at once, without waiting for the batch to be persisted. */
const POST_EARLY = 1024;

/** The one digest the agent can hold: it seeds every namespace with its single platform aggregate. */
export const AGENT_DIGEST = 'sha256';

/** What the agent is known to hold for one namespace (after the queued operations). */
interface Tracked {
  readonly model: NamespaceModel;
  mode: Mode;
  points: number;
  pseudonyms: number;
  base: string;
  /** The namespace's editCount and resetCount when last sent. */
  edits: number;
  resets: number;
  broken?: string;
  /** The engine rolled back events the agent modeled (a failed store write): never mirrored again. */
  rolledBack?: boolean;
}

type Op =
  | {
      readonly kind: 'event';
      readonly ns: string;
      readonly origin: string;
      readonly line: string;
      readonly seq: number;
      readonly verdict: string;
      readonly coefficient?: string;
    }
  | {
      readonly kind: 'control';
      readonly ns: string;
      readonly op: string;
      readonly args: ControlArgs;
    };
type EventOp = Extract<Op, { kind: 'event' }>;

export class AgentMirror {
  private readonly tracked = new Map<string, Tracked>();
  private queue: Op[] = [];
  /** Settles once every message posted so far is answered and its answer checked. */
  private answered: Promise<void> = Promise.resolve();
  readonly stage: PipelineStage;

  constructor(
    private readonly agent: ModelingAgent,
    private readonly controller: Controller,
    /** The agent's platform aggregate (sha256): namespaces seeded otherwise cannot be mirrored. */
    private readonly platformAggregate: Buffer,
    private readonly log: (m: string) => void
  ) {
    this.stage = {
      afterVerdict: (ns, event, verdict, ctx) => {
        // The event is applied already: the points before it are what the agent must have first.
        const t = this.sync(ns, ns.pointCount - (verdict.newPoint ? 1 : 0));
        if (t.broken) return undefined;
        this.queue.push({
          kind: 'event',
          ns: ns.id,
          origin: ctx?.taskOrigin ?? '',
          line: event.line,
          seq: verdict.seq,
          verdict: verdict.kind,
          coefficient: verdict.coefficient?.toString('hex'),
        });
        t.points = ns.pointCount;
        // Post a long batch's head already: the agent models it while the engine goes on.
        if (this.queue.length >= POST_EARLY) this.post();
        return undefined;
      },
      afterPersist: () => this.flush(),
      // The engine reloads the namespace from the store: the agent modeled events it no longer has.
      persistFailed: (ns) => {
        const t = this.tracked.get(ns.id);
        if (t) {
          this.markBroken(
            t,
            'a store write failed: the engine rolled back events the agent modeled'
          );
          t.rolledBack = true;
        }
      },
    };
  }

  /** Why the agent's copy of `ns` is not the engine's, or undefined while it is. */
  brokenReason(ns: string): string | undefined {
    return this.tracked.get(ns)?.broken;
  }

  /** Brings `ns` up to date (queues what it lacks) and posts the queue now; resolves when answered. */
  catchUp(ns: NamespaceModel): Promise<void> {
    this.sync(ns, ns.pointCount);
    return this.flush();
  }

  private markBroken(t: Tracked, reason: string): void {
    if (t.broken) return;
    t.broken = reason;
    this.log(`agent: namespace=${t.model.id} not mirrored: ${reason}`);
  }

  /** Why the agent cannot hold `ns` at all. */
  private unmirrorable(ns: NamespaceModel): string | undefined {
    if (ns.alg.name !== AGENT_DIGEST)
      return `it uses ${ns.alg.name}; the agent holds ${AGENT_DIGEST} namespaces only`;
    if (!ns.config.aggregate.equals(this.platformAggregate))
      return 'its aggregate is not the platform aggregate: the boot state (PCRs 0-7) changed since it was created, or an aggregate record in its event stream set another';
    if (ns.config.taskIdCoe !== 'zero')
      return `its taskIdCoe is '${ns.config.taskIdCoe}'; the agent creates namespaces with 'zero'`;
    return undefined;
  }

  /** Queues what the agent lacks of `ns` with `points` points: creation, loaded points, mode. */
  private sync(ns: NamespaceModel, points: number): Tracked {
    let t = this.tracked.get(ns.id);
    if (t && t.model !== ns) {
      if (t.rolledBack) {
        // The namespace reloaded after a failed store write: the agent's copy stays wrong.
        t = { ...t, model: ns, mode: ns.mode };
        this.tracked.set(ns.id, t);
        return t;
      }
      // Deleted and created again (a canister's namespace, `ns delete`): the agent drops its
      // copy of the old one first, in queue order after the old one's last events.
      if (!this.unmirrorable(t.model))
        this.queue.push({ kind: 'control', ns: ns.id, op: 'drop-namespace', args: { ns: ns.id } });
      t = undefined;
    }
    if (!t) t = this.create(ns);
    if (t.broken) return t;
    const why = this.unmirrorable(ns);
    if (why) {
      this.markBroken(t, why);
      return t;
    }
    const base = ns.config.base.toString('hex');
    if (
      points !== t.points ||
      ns.pseudonymCount !== t.pseudonyms ||
      base !== t.base ||
      ns.editCount !== t.edits ||
      ns.resetCount !== t.resets
    )
      this.load(ns, t, points, base);
    if (!t.broken && ns.mode !== t.mode) {
      this.queue.push({
        kind: 'control',
        ns: ns.id,
        op: 'set-mode',
        args: { ns: ns.id, mode: ns.mode },
      });
      t.mode = ns.mode;
    }
    return t;
  }

  private create(ns: NamespaceModel): Tracked {
    const base = ns.config.base.toString('hex');
    const t: Tracked = {
      model: ns,
      mode: ns.mode,
      points: 0,
      pseudonyms: 0,
      base,
      edits: ns.editCount,
      resets: ns.resetCount,
    };
    this.tracked.set(ns.id, t);
    const why = this.unmirrorable(ns);
    if (why) {
      this.markBroken(t, why);
      return t;
    }
    const isNull = ns.config.base.equals(ns.alg.nullDigest);
    const args: ControlArgs = {
      id: ns.id,
      digest: ns.alg.name,
      dialect: ns.config.dialect,
      mode: ns.mode,
      base: isNull ? undefined : base,
    };
    this.queue.push({ kind: 'control', ns: ns.id, op: 'create-namespace', args });
    return t;
  }

  /**
   * Points added without events (model loads, accepted findings): sent as a model, in the engine's
   * map order. After an edit (a load or an accept may have made forensic points valid) every
   * valid point is sent: the agent's load makes its forensic copies valid in place and appends
   * the rest in the same order. A replaced model cannot be mirrored (the agent cannot drop points).
   */
  private load(ns: NamespaceModel, t: Tracked, points: number, base: string): void {
    if (ns.resetCount !== t.resets) {
      this.markBroken(t, 'its model was replaced; the agent cannot drop points');
      return;
    }
    const missing = ns.points().slice(t.points, points);
    const edited = ns.editCount !== t.edits;
    if (points < t.points || missing.some((p) => !p.valid)) {
      // Forensic points come only from events: these were restored from the store, never seen here.
      this.markBroken(
        t,
        `it has ${points} points of which the agent saw ${t.points}, some forensic (restored from the store?)`
      );
      return;
    }
    const sent = edited
      ? ns
          .points()
          .slice(0, points)
          .filter((p) => p.valid)
      : missing;
    const model = formatModelFile({
      base: ns.config.base,
      states: sent.map((p) => p.coefficient),
      pseudonyms: ns.pseudonymHexes().map((h) => Buffer.from(h, 'hex')),
      sealed: false, // the mode travels in set-mode
    });
    this.queue.push({ kind: 'control', ns: ns.id, op: 'load-model', args: { ns: ns.id, model } });
    t.points = points;
    t.pseudonyms = ns.pseudonymCount;
    t.base = base;
    t.edits = ns.editCount;
  }

  /** Posts every queued operation now, in order; resolves once the agent answered all posted so far. */
  flush(): Promise<void> {
    this.post();
    return this.answered;
  }

  /**
   * Posts the queue in order: control messages one by one, the runs of events between them as
   * `events` messages of at most MAX_EVENT_BATCH lines.
   */
  private post(): void {
    const ops = this.queue.splice(0);
    if (ops.length === 0) return;
    const answers: Promise<void>[] = [this.answered];
    let events: EventOp[] = [];
    const sendRun = () => {
      if (events.length > 0) answers.push(this.sendEvents(events));
      events = [];
    };
    for (const op of ops) {
      if (op.kind === 'event') {
        events.push(op);
        if (events.length === MAX_EVENT_BATCH) sendRun();
        continue;
      }
      sendRun();
      answers.push(
        this.agent.control(this.controller.next(op.op, op.args)).then(
          () => undefined,
          (err: unknown) => this.fail(op.ns, `the agent refused ${op.op}: ${errorMessage(err)}`)
        )
      );
    }
    sendRun();
    this.answered = Promise.all(answers).then(() => undefined);
  }

  private sendEvents(events: readonly EventOp[]): Promise<void> {
    const runs: { ns: string; origin: string; lines: string[] }[] = [];
    let run: { ns: string; origin: string; lines: string[] } | undefined;
    for (const op of events) {
      if (run?.ns !== op.ns || run.origin !== op.origin)
        runs.push((run = { ns: op.ns, origin: op.origin, lines: [] }));
      run.lines.push(op.line);
    }
    return this.agent.processEvents(runs).then(
      (verdicts) => {
        if (verdicts.length !== events.length) {
          for (const r of runs)
            this.fail(r.ns, `the agent answered ${verdicts.length} of ${events.length} events`);
          return;
        }
        events.forEach((op, i) => this.checkVerdict(op, verdicts[i]!));
      },
      (err: unknown) => {
        // The whole message was refused: name each namespace's first event in it.
        for (const r of runs)
          this.fail(
            r.ns,
            `the agent refused event ${events.find((op) => op.ns === r.ns)!.seq}: ${errorMessage(err)}`
          );
      }
    );
  }

  private checkVerdict(op: EventOp, res: BatchVerdict): void {
    if ('error' in res) return this.fail(op.ns, `the agent refused event ${op.seq}: ${res.error}`);
    const got = 'record' in res ? res.record : `${res.kind} ${res.coefficient ?? '-'}`;
    const want = `${op.verdict} ${op.coefficient ?? '-'}`;
    if (got !== want)
      this.fail(op.ns, `event ${op.seq}: the agent's verdict is '${got}', the engine's '${want}'`);
  }

  private fail(ns: string, reason: string): void {
    const t = this.tracked.get(ns);
    if (t) this.markBroken(t, reason);
  }
}
