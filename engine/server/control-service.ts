/**
 * Control: namespaces, modes, models and the model's figures. Mutations need the `admin` role and
 * run in the namespace's pipeline order (after the events queued before them), then persist.
 */
import { hostname } from 'node:os';
import type { Log } from '../../common/log.js';
import type { ControlHandlers } from '../../proto/gen/tsem/v1/Control.js';
import { createDigest } from '../measure/digest.js';
import { isDialect } from '../measure/mapper.js';
import type { EventEntry, NamespaceModel } from '../ns/namespace-model.js';
import type { Pipeline } from '../ns/pipeline.js';
import type { NamespaceRegistry } from '../ns/registry.js';
import { entriesWithLines, type EntryList, indexRange } from '../ns/entry-lines.js';
import type { Canisters, ModelLock } from '../canister/canisters.js';
import type { LabelModelStore } from '../canister/label-models.js';
import type { CanisterRoutes } from '../canister/routes.js';
import type { Attester } from '../trust/agent-port.js';
import { type AuthConfig, mayAccess } from './auth.js';
import { createCanisterHandlers } from './canister-service.js';
import { createLabelHandlers } from './label-service.js';
import { EngineError } from '../../common/errors.js';
import { invalid } from './to-status.js';
import { requireUnlimited, unary } from './unary.js';
import { imaControlHandlers, type ImaControl } from './ima-control.js';
import { attestControlHandlers } from './attest-control.js';
import type { AttestationKeys } from '../trust/attestation-keys.js';
import { modeFromWire, namespaceInfo } from './wire.js';
import { PolicyAuthoring } from '../ns/authoring.js';
import { authoringHandlers, convergenceResponse } from './authoring-handlers.js';
import { DEFAULT_PAGE_ENTRIES, MAX_PAGE_BYTES, MAX_PAGE_ENTRIES } from '../../proto/limits.js';
import { parseSignature } from '../attest/keys.js';
import { checkModelSignature, type ModelKeys } from '../attest/model-signature.js';

/** A page of at most `limit` entries and `maxBytes` of text (one entry at least). */
function page<T>(
  items: readonly T[],
  req: { offset: string | number; limit: number; max_bytes: number },
  size: (t: T) => number
): T[] {
  const off = Number(req.offset);
  const n = Math.min(req.limit || DEFAULT_PAGE_ENTRIES, MAX_PAGE_ENTRIES);
  const budget = Math.min(req.max_bytes || MAX_PAGE_BYTES, MAX_PAGE_BYTES);
  const out: T[] = [];
  let bytes = 0;
  for (let i = off; i < items.length && out.length < n; i++) {
    const b = size(items[i]!);
    if (out.length > 0 && bytes + b > budget) break;
    out.push(items[i]!);
    bytes += b;
  }
  return out;
}

const lineBytes = (e: { line: string }) => Buffer.byteLength(e.line) + 128;
/** Entries whose lines are read from the store at a time, for a page. */
const ENTRY_READ_CHUNK = 32;

/** Serves a namespace's IMA measurement list, or the host's (ns null). */
export interface ImaLogs {
  log(
    ns: string | null,
    format: 'ascii' | 'binary',
    bank: string
  ): { log: Buffer; entries: number; pcr10: string };
}

export interface ControlExtras {
  readonly attester?: Attester;
  readonly ima?: ImaLogs;
  /** Every admin action is logged with the caller's identity. */
  readonly log?: Log;
  /** After a namespace is deleted (its incidents close). */
  readonly namespaceDeleted?: (name: string) => Promise<void>;
  /** Per-namespace IMA policies and keyrings. */
  readonly imaAdmin?: ImaControl;
  /** The TPM's attestation and endorsement keys. */
  readonly keys?: AttestationKeys;
  /** Keys trusted to sign models, and whether every namespace requires signed models. */
  readonly models?: { readonly keys: ModelKeys; readonly required: boolean };
}

const NO_KEYS: ModelKeys = { ed25519: [], rsa: [] };

/** TSEM's model lock: a bad signature is always refused; a required one must verify with a pinned key. */
function checkModelLoad(
  name: string,
  req: { model: string; signature: string },
  required: boolean,
  keys: ModelKeys
): void {
  const detached = req.signature ? parseSignature(req.signature, 'signature') : undefined;
  const check = checkModelSignature(Buffer.from(req.model, 'utf8'), detached, keys);
  if (check.status === 'bad')
    throw new EngineError(
      'TSEM_PERMISSION',
      `model refused: its signature is bad: ${check.reason}`
    );
  if (!required || check.status === 'verified') return;
  throw new EngineError(
    'TSEM_PERMISSION',
    `namespace '${name}' loads signed models only: ${check.status === 'unsigned' ? 'the model has no signature (sign it with tsem model sign, send the .sig)' : check.reason}`
  );
}

/** The model lock for canisters and labelled models: LoadModel's rules (canisters.ts ModelLock). */
export function modelLockOf(models?: {
  readonly keys: ModelKeys;
  readonly required: boolean;
}): ModelLock {
  return (name, model, signature, existing) =>
    checkModelLoad(
      name,
      { model, signature: signature ?? '' },
      models?.required === true || existing?.config.requireSignedModels === true,
      models?.keys ?? NO_KEYS
    );
}

/** Canisters (`tsem run`) and the models stored per label. */
export interface CanisterParts {
  readonly canisters: Canisters;
  readonly routes: CanisterRoutes;
  readonly labels: LabelModelStore;
  /** Admin actions are logged with the caller's identity. */
  readonly log: Log;
}

const unavailable = (what: string) =>
  new EngineError('TSEM_UNAVAILABLE', `${what} is not enabled on this server`);

export function createControlService(
  registry: NamespaceRegistry,
  pipeline: Pipeline,
  auth: AuthConfig,
  canister: CanisterParts,
  extras: ControlExtras = {}
): ControlHandlers {
  const modelsRequired = extras.models?.required === true;
  const info = (ns: NamespaceModel) => namespaceInfo(ns, modelsRequired);
  /**
   * A page of trajectory or forensics entries, bounded as page() bounds one; older lines are read
   * from the store a few at a time, so a page of large events reads no more than it sends.
   */
  const entryPage = async (
    ns: NamespaceModel,
    which: EntryList,
    req: { offset: string | number; limit: number; max_bytes: number }
  ) => {
    const total = (which === 'trajectory' ? ns.trajectory() : ns.forensics()).length;
    const n = Math.min(req.limit || DEFAULT_PAGE_ENTRIES, MAX_PAGE_ENTRIES);
    const budget = Math.min(req.max_bytes || MAX_PAGE_BYTES, MAX_PAGE_BYTES);
    const end = Math.min(total, Number(req.offset) + n);
    const out: EventEntry[] = [];
    let bytes = 0;
    read: for (let i = Number(req.offset); i < end; i += ENTRY_READ_CHUNK) {
      const at = indexRange(i, Math.min(end, i + ENTRY_READ_CHUNK));
      for (const e of await entriesWithLines(ns, which, at, registry.store)) {
        const b = lineBytes(e);
        if (out.length > 0 && bytes + b > budget) break read;
        out.push(e);
        bytes += b;
      }
    }
    return {
      total: String(total),
      entries: out.map((e) => ({
        coefficient: e.coefficient.toString('hex'),
        event_json: e.line,
        count: String(ns.point(e.coefficient.toString('hex'))?.count ?? 0),
      })),
    };
  };
  const need = (name: string): NamespaceModel => {
    if (!name) throw invalid('name: a namespace name is required');
    return registry.require(name);
  };
  const authoring = new PolicyAuthoring(registry, pipeline);
  return {
    ...createCanisterHandlers(
      canister.canisters,
      canister.routes,
      auth,
      canister.log,
      modelsRequired
    ),
    ...createLabelHandlers(
      canister.labels,
      registry,
      pipeline,
      auth,
      canister.log,
      modelLockOf(extras.models)
    ),
    ...authoringHandlers(authoring, registry, pipeline, auth, extras.log),
    CreateNamespace: unary(
      auth,
      'admin',
      async (req) => {
        if (!req.name) throw invalid('name: a namespace name is required');
        if (req.digest) createDigest(req.digest);
        if (req.dialect && !isDialect(req.dialect))
          throw invalid(`dialect: expected tsem-6.12 or quixote-us, got '${req.dialect}'`);
        if (req.nsref && req.nsref !== 'initial' && req.nsref !== 'current')
          throw invalid(`nsref: expected initial or current, got '${req.nsref}'`);
        const ns = await registry.create({
          id: req.name,
          digest: req.digest || undefined,
          nsref: (req.nsref || 'initial') as 'initial' | 'current',
          mode: modeFromWire(req.mode, 'mode', 'learn'),
          dialect: req.dialect && isDialect(req.dialect) ? req.dialect : undefined,
          requireSignedModels: req.require_signed_models,
        });
        return info(ns);
      },
      {
        log: extras.log,
        action: 'create namespace',
        fields: (r) => ({ mode: r.mode, digest: r.digest }),
      }
    ),
    DeleteNamespace: unary(
      auth,
      'admin',
      async (req) => {
        need(req.name);
        // A running canister's events would re-create it in learn mode, unsealing the workload.
        const running = canister.routes.liveFor(req.name);
        if (running > 0)
          throw invalid(
            `namespace '${req.name}' is the namespace of ${running} running canister(s) (tsem canister list); delete it once they finished`
          );
        await pipeline.control(req.name, () => undefined);
        canister.routes.forgetNamespace(req.name);
        await registry.delete(req.name);
        pipeline.retire(req.name);
        await extras.namespaceDeleted?.(req.name);
        await extras.imaAdmin?.forget(req.name);
        return {};
      },
      { log: extras.log, action: 'delete namespace' }
    ),
    ListNamespaces: unary(auth, 'viewer', (_req, id) => ({
      namespaces: registry
        .list()
        .filter((ns) => mayAccess(id, ns.id))
        .map(info),
    })),
    GetNamespace: unary(auth, 'viewer', (req) => info(need(req.name))),
    SetMode: unary(auth, 'admin', async (req, id) => {
      need(req.name);
      const mode = modeFromWire(req.mode, 'mode');
      return pipeline.control(req.name, (ns) => {
        extras.log?.warn(`admin action: set mode`, {
          action: 'set mode',
          caller: id.name,
          namespace: ns.id,
          from: ns.mode,
          to: mode,
        });
        ns.setMode(mode);
        return info(ns);
      });
    }),
    LoadModel: unary(
      auth,
      'admin',
      async (req) => {
        if (!req.name) throw invalid('name: a namespace name is required');
        const existing = registry.get(req.name);
        if (!existing && !req.create) need(req.name);
        checkModelLoad(
          req.name,
          req,
          modelsRequired || existing?.config.requireSignedModels === true,
          extras.models?.keys ?? NO_KEYS
        );
        const r = await authoring.loadModel(req.name, req.model, {
          create: req.create,
          replace: req.replace,
          merge: req.merge,
        });
        return {
          ...info(r.ns),
          warnings: r.warnings,
          loaded_points: String(r.outcome.added),
          promoted_points: String(r.outcome.promoted),
          accepted_findings: String(r.outcome.accepted),
        };
      },
      {
        log: extras.log,
        action: 'load model',
        fields: (r) => ({
          states: r.model.split('\nstate ').length - 1,
          ...(r.replace ? { replace: true } : {}),
          ...(r.merge ? { merge: true } : {}),
        }),
      }
    ),
    ExportModel: unary(auth, 'viewer', async (req) => ({
      model: await authoring.exportModel(req.name, {
        includeForensics: req.include_forensics,
        pure: req.pure_quixote,
        origin: `namespace ${req.name} on ${hostname()}, exported ${new Date().toISOString()}`,
      }),
    })),
    GetPoints: unary(auth, 'viewer', (req) => ({
      points: need(req.name)
        .points()
        .map((p) => ({
          coefficient: p.hex,
          count: String(p.count),
          valid: p.valid,
          first_seen_ms: String(p.first ?? 0),
          last_seen_ms: String(p.last ?? 0),
          status: p.valid ? 'POINT_STATUS_VALID' : 'POINT_STATUS_FORENSIC',
        })),
    })),
    GetTrajectory: unary(auth, 'viewer', (req) => entryPage(need(req.name), 'trajectory', req)),
    GetForensics: unary(auth, 'viewer', (req) => entryPage(need(req.name), 'forensics', req)),
    GetRejected: unary(auth, 'viewer', (req) => {
      const ns = need(req.name);
      return {
        total: String(ns.rejected().length),
        entries: page(ns.rejected(), req, lineBytes).map((e) => ({
          event_json: e.line,
          seq: String(e.seq),
          reason: e.reason,
        })),
      };
    }),
    Attest: unary(auth, 'viewer', async (req) => {
      const ns = need(req.name);
      if (!/^([0-9a-fA-F]{2}){8,64}$/.test(req.nonce))
        throw invalid('nonce: expected 16 to 128 hex characters');
      if (!extras.attester) throw unavailable('attestation');
      return { report_json: await extras.attester.report(ns, Buffer.from(req.nonce, 'hex')) };
    }),
    GetImaLog: unary(auth, 'viewer', (req, id) => {
      if (req.host) requireUnlimited(id, 'the host IMA log');
      else need(req.name);
      const format = req.format || 'ascii';
      if (format !== 'ascii' && format !== 'binary')
        throw invalid(`format: expected ascii or binary, got '${format}'`);
      if (!extras.ima) throw unavailable('IMA');
      const r = extras.ima.log(req.host ? null : req.name, format, req.bank || 'sha1');
      return { log: r.log, entries: String(r.entries), pcr10: r.pcr10 };
    }),
    ...imaControlHandlers(
      auth,
      extras.imaAdmin,
      need,
      (name, run) => pipeline.control(name, run).then(() => undefined),
      extras.log
    ),
    ...attestControlHandlers(auth, extras.keys),
    GetConvergence: unary(auth, 'viewer', (req) => convergenceResponse(need(req.name))),
  };
}
