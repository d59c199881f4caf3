/**
 * The trusted modeling agent: the namespace models, the agent's Ed25519 signing key and the
 * control counter, behind handle(). It runs inside the worker (agent-worker.ts); nothing here is
 * reachable from the host except through the messages of protocol.ts.
 */
import { type ControlArgs, type SignedControl, checkControl } from '../control-auth.js';
import {
  type AgentRequest,
  type BatchVerdict,
  type EventResult,
  type EventRun,
  type HelloResult,
  MAX_EVENT_BATCH,
  type StatusResult,
  type VerdictJson,
} from '../protocol.js';
import { platformSealKey, seal, unseal } from './sealed-store.js';
import { parseModelFile } from '../../engine/contour/model-file.js';
import { generateKeyPair, sign } from '../../engine/attest/keys.js';
import { reportBodyOf } from '../../engine/attest/report-body.js';
import { type ReportBody, quoteNonceFor, signReport } from '../../engine/attest/report.js';
import { parseRecordLine } from '../../engine/event/parse-json.js';
import { applyRecord } from '../../engine/ns/apply-record.js';
import {
  type NamespaceSnapshot,
  restoreNamespace,
  snapshotNamespace,
} from '../../engine/ns/namespace-snapshot.js';
import {
  NamespaceModel,
  type Verdict,
  createNamespaceConfig,
  isMode,
} from '../../engine/ns/namespace-model.js';
import type { QuoteEvidence } from '../../engine/tpm/quote-verify.js';

/** Report bodies waiting for their TPM quote; the oldest is dropped beyond this. */
const MAX_PENDING_REPORTS = 64;

interface SealedContent {
  /** 2: namespaces as engine/ns/namespace-snapshot.ts snapshots. */
  readonly version: 2;
  readonly secretKey: string;
  readonly counter: number;
  readonly namespaces: NamespaceSnapshot[];
}

export interface AgentSetup {
  readonly platformSecret: Uint8Array;
  readonly aggregate: Buffer;
  readonly controllerKey: Uint8Array;
  readonly sealedState?: Uint8Array;
}

export class TrustedAgent {
  // ECMAScript private fields: not enumerable, not reachable by structured clone or reflection.
  #secretKey: Uint8Array;
  #publicKey: Uint8Array;
  readonly #sealKey: Uint8Array;
  readonly #controllerKey: Uint8Array;
  readonly #aggregate: Buffer;
  #counter = 0;
  #namespaces = new Map<string, NamespaceModel>();
  readonly #pending = new Map<number, ReportBody>();
  #nextTicket = 1;

  constructor(setup: AgentSetup) {
    this.#sealKey = platformSealKey(setup.platformSecret, setup.aggregate);
    this.#controllerKey = setup.controllerKey;
    this.#aggregate = setup.aggregate;
    const keys = generateKeyPair();
    this.#secretKey = keys.secretKey;
    this.#publicKey = keys.publicKey;
    if (setup.sealedState) this.#restore(setup.sealedState);
  }

  handle(req: AgentRequest): unknown {
    switch (req.type) {
      case 'hello':
        return {
          publicKey: Buffer.from(this.#publicKey).toString('base64'),
          counter: this.#counter,
          namespaces: [...this.#namespaces.keys()],
        } satisfies HelloResult;
      case 'event':
        return this.#event(req.ns, Buffer.from(req.line));
      case 'events':
        return this.#events(req.runs);
      case 'status':
        return this.#status(req.ns);
      case 'report-begin':
        return this.#reportBegin(req.ns, req.nonce);
      case 'report-finish':
        return this.#reportFinish(req.ticket, req.quote);
      case 'control':
        return this.#control(req.msg);
      default:
        throw new Error(`unknown agent request type '${String((req as { type?: unknown }).type)}'`);
    }
  }

  #ns(id: string): NamespaceModel {
    const ns = this.#namespaces.get(id);
    if (!ns)
      throw new Error(`no namespace '${id}' in the agent (create it with a control message)`);
    return ns;
  }

  #event(id: string, line: Buffer): EventResult {
    const v = this.#apply(id, line);
    if (typeof v === 'string') return { record: v };
    const verdict: VerdictJson = {
      kind: v.kind,
      action: v.action,
      coefficient: v.coefficient?.toString('hex'),
      taskId: v.taskId.toString('hex'),
      pTaskId: v.pTaskId.toString('hex'),
      trust: v.trust,
      seq: v.seq,
    };
    return { record: 'event', verdict };
  }

  /** One line into namespace `id`: the model's verdict, or the kind of a record that is no event. */
  #apply(id: string, line: Buffer, origin = ''): Verdict | 'aggregate' | 'log' {
    const ns = this.#ns(id);
    const rec = parseRecordLine(line, { digestSize: ns.alg.size, source: `namespace ${id}` });
    // The agent's aggregate is the platform's; an exported aggregate record does not override it.
    const applied = applyRecord(ns, rec, { acceptAggregate: false, origin });
    ns.drainChanges(); // the agent keeps everything in memory; nothing to persist per event
    return applied.kind === 'event' ? applied.verdict : applied.kind;
  }

  /** The same steps as one `event` message per line, in order; only the answer is compact. */
  #events(message: unknown): BatchVerdict[] {
    // The message crossed a thread boundary: check its shape before trusting its types.
    if (!Array.isArray(message)) throw new Error('events: expected an array of { ns, lines } runs');
    const runs = (message as unknown[]).map((run, i) => {
      if (!isEventRun(run))
        throw new Error(`events: run ${i}: expected { ns: string, lines: array }`);
      return run;
    });
    const total = runs.reduce((n, r) => n + r.lines.length, 0);
    if (total > MAX_EVENT_BATCH)
      throw new Error(`events: ${total} events in one message, at most ${MAX_EVENT_BATCH}`);
    const out: BatchVerdict[] = [];
    for (const run of runs)
      for (const line of run.lines) out.push(this.#batchEvent(run.ns, line, run.origin ?? ''));
    return out;
  }

  #batchEvent(id: string, line: string | Uint8Array, origin: string): BatchVerdict {
    try {
      const v = this.#apply(
        id,
        typeof line === 'string' ? Buffer.from(line, 'utf8') : Buffer.from(line),
        origin
      );
      if (typeof v === 'string') return { record: v };
      return v.coefficient
        ? { kind: v.kind, coefficient: v.coefficient.toString('hex') }
        : { kind: v.kind };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  #status(id: string): StatusResult {
    const ns = this.#ns(id);
    return {
      namespace: id,
      mode: ns.mode,
      measurement: ns.measurement.toString('hex'),
      state: ns.state().toString('hex'),
      points: ns.validPointCount(),
      forensics: ns.forensicPointCount(),
      events: ns.eventCount,
    };
  }

  #reportBegin(id: string, nonceHex: string): { ticket: number; quoteNonce: string } {
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(nonceHex))
      throw new Error(`report nonce: expected non-empty hex, got '${nonceHex}'`);
    const body = reportBodyOf(this.#ns(id), Buffer.from(nonceHex, 'hex'), this.#publicKey);
    const ticket = this.#nextTicket++;
    this.#pending.set(ticket, body);
    if (this.#pending.size > MAX_PENDING_REPORTS)
      this.#pending.delete(this.#pending.keys().next().value as number);
    return { ticket, quoteNonce: quoteNonceFor(body).toString('hex') };
  }

  #reportFinish(ticket: number, quote: QuoteEvidence | undefined): unknown {
    const body = this.#pending.get(ticket);
    if (!body) throw new Error(`no pending report ${ticket} (finished already, or dropped)`);
    this.#pending.delete(ticket);
    return signReport(body, quote, (m) => sign(m, this.#secretKey));
  }

  #control(msg: SignedControl): unknown {
    const refused = checkControl(msg, this.#controllerKey, this.#counter);
    if (refused) throw new Error(refused);
    this.#counter = msg.counter;
    const a = msg.args;
    switch (msg.op) {
      case 'create-namespace':
        return this.#create(a);
      case 'drop-namespace': {
        const id = str(a, 'ns');
        this.#ns(id);
        this.#namespaces.delete(id);
        return { dropped: id };
      }
      case 'load-model': {
        const ns = this.#ns(str(a, 'ns'));
        ns.loadModel(parseModelFile(str(a, 'model'), ns.alg, 'control load-model'));
        return this.#status(ns.id);
      }
      case 'set-mode': {
        const mode = str(a, 'mode');
        if (!isMode(mode)) throw new Error(`set-mode: unknown mode '${mode}'`);
        this.#ns(str(a, 'ns')).setMode(mode);
        return this.#status(str(a, 'ns'));
      }
      case 'seal-state':
        return { sealed: this.#sealState().toString('base64') };
      case 'unseal-state':
        this.#restore(Buffer.from(str(a, 'sealed'), 'base64'));
        return {
          publicKey: Buffer.from(this.#publicKey).toString('base64'),
          namespaces: [...this.#namespaces.keys()],
        };
      default:
        throw new Error(`unknown control operation '${msg.op}'`);
    }
  }

  #create(a: ControlArgs): StatusResult {
    const id = str(a, 'id');
    if (this.#namespaces.has(id)) throw new Error(`namespace '${id}' exists already`);
    const opt = (k: string) => (typeof a[k] === 'string' ? a[k] : undefined);
    const mode = opt('mode');
    if (mode !== undefined && !isMode(mode))
      throw new Error(`create-namespace: unknown mode '${mode}'`);
    const base = opt('base');
    const cfg = createNamespaceConfig({
      id,
      digest: opt('digest'),
      mode,
      aggregate: this.#aggregate,
      dialect: opt('dialect') as 'tsem-6.12' | 'quixote-us' | undefined,
      base: base === undefined ? undefined : Buffer.from(base, 'hex'),
    });
    this.#namespaces.set(id, new NamespaceModel(cfg));
    return this.#status(id);
  }

  #sealState(): Buffer {
    const content: SealedContent = {
      version: 2,
      secretKey: Buffer.from(this.#secretKey).toString('base64'),
      counter: this.#counter,
      namespaces: [...this.#namespaces.values()].map((ns) => snapshotNamespace(ns)),
    };
    return seal(Buffer.from(JSON.stringify(content), 'utf8'), this.#sealKey);
  }

  #restore(blob: Uint8Array): void {
    const content = JSON.parse(
      Buffer.from(unseal(blob, this.#sealKey)).toString('utf8')
    ) as SealedContent;
    if (content.version !== 2)
      throw new Error(
        `sealed state version ${String(content.version)}, expected 2 (states sealed by an older release cannot be resumed)`
      );
    const secretKey = new Uint8Array(Buffer.from(content.secretKey, 'base64'));
    this.#namespaces = new Map(
      content.namespaces.map((j) => [j.meta.config.id, restoreNamespace(j)])
    );
    this.#secretKey = secretKey;
    this.#publicKey = secretKey.slice(32); // tweetnacl secret key = seed || public key
    // Never move the counter back: older control messages stay replay-proof.
    this.#counter = Math.max(this.#counter, content.counter);
    this.#pending.clear();
  }
}

function str(args: ControlArgs, key: string): string {
  const v = args[key];
  if (typeof v !== 'string') throw new Error(`control argument '${key}': expected a string`);
  return v;
}

function isEventRun(v: unknown): v is EventRun {
  const r = v as Partial<EventRun> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.ns === 'string' &&
    Array.isArray(r.lines) &&
    (r.origin === undefined || typeof r.origin === 'string')
  );
}
