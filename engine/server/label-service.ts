/**
 * Control's label RPCs (tsem.proto ListLabels, GetLabelModel, SaveLabelModel, DeleteLabel): the
 * models stored per label. A label names a namespace, so namespace-limited identities see and
 * change only the labels of their namespaces.
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { EngineError } from '../../common/errors.js';
import type { Log } from '../../common/log.js';
import type { ControlHandlers } from '../../proto/gen/tsem/v1/Control.js';
import type { LabelInfo } from '../../proto/gen/tsem/v1/LabelInfo.js';
import { checkLabelName, labelModelOf, type ModelLock } from '../canister/canisters.js';
import type { LabelModel, LabelModelStore, LabelSummary } from '../canister/label-models.js';
import { parseModelFile } from '../contour/model-file.js';
import { createDigest } from '../measure/digest.js';
import { isDialect } from '../measure/mapper.js';
import type { Pipeline } from '../ns/pipeline.js';
import type { NamespaceRegistry } from '../ns/registry.js';
import { type AuthConfig, authorize, type Identity, mayAccess, type Role } from './auth.js';
import { callerIdentity } from './caller.js';
import { invalid, toStatus } from './to-status.js';

export function labelInfo(m: LabelSummary | LabelModel): LabelInfo {
  return {
    signed: 'signed' in m ? m.signed : m.signature !== undefined,
    label: m.label,
    digest: m.digest,
    dialect: m.dialect,
    points: String(m.points),
    updated_ms: String(m.updatedMs),
    source: m.source,
  };
}

type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, cb: sendUnaryData<Res>) => void;

function unary<Req extends { label?: string }, Res>(
  auth: AuthConfig,
  role: Role,
  fn: (req: Req, id: Identity) => Promise<Res> | Res,
  /** An admin action: logged with the caller once it succeeded. */
  audit?: { log: Log; action: string }
): Handler<Req, Res> {
  return (call, cb) => {
    let caller = '';
    Promise.resolve()
      .then(() => {
        const id = callerIdentity(auth, call);
        caller = id.name;
        const label = call.request.label;
        if (label !== undefined) {
          if (!label) throw invalid('label: a label is required');
          checkLabelName(label);
        }
        authorize(id, role, label || undefined);
        return fn(call.request, id);
      })
      .then(
        (res) => {
          audit?.log.warn(`admin action: ${audit.action}`, {
            action: audit.action,
            caller,
            label: call.request.label,
          });
          cb(null, res);
        },
        (err: unknown) => cb(toStatus(err))
      );
  };
}

export function createLabelHandlers(
  labels: LabelModelStore,
  registry: NamespaceRegistry,
  pipeline: Pipeline,
  auth: AuthConfig,
  log: Log,
  modelLock: ModelLock
): Pick<ControlHandlers, 'ListLabels' | 'GetLabelModel' | 'SaveLabelModel' | 'DeleteLabel'> {
  const missing = (label: string) =>
    new EngineError('TSEM_NAMESPACE', `label '${label}' has no stored model`);
  return {
    ListLabels: unary(auth, 'viewer', async (_req, id) => ({
      labels: (await labels.list()).filter((l) => mayAccess(id, l.label)).map(labelInfo),
    })),
    GetLabelModel: unary(auth, 'viewer', async (req) => {
      const m = await labels.get(req.label);
      if (!m) throw missing(req.label);
      return { label: labelInfo(m), model: m.model, signature: m.signature ?? '' };
    }),
    SaveLabelModel: unary(
      auth,
      'admin',
      async (req, id) => {
        if ((req.model === '') === (req.namespace === ''))
          throw invalid('expected either model (model file text) or namespace, not both');
        if (req.namespace) {
          if (req.signature) throw invalid('signature goes with model (file text), not namespace');
          authorize(id, 'admin', req.namespace);
          registry.require(req.namespace);
          // After the namespace's queued events: the model as of this call.
          const model = await pipeline.control(req.namespace, (ns) =>
            labelModelOf(req.label, ns, `namespace ${ns.id}`, Date.now())
          );
          await labels.put(model);
          return labelInfo(model);
        }
        const dialect = req.dialect || 'tsem-6.12';
        if (!isDialect(dialect))
          throw invalid(`dialect: expected tsem-6.12 or quixote-us, got '${dialect}'`);
        const alg = createDigest(req.digest || 'sha256');
        const parsed = parseModelFile(req.model, alg, 'model');
        // A bad signature is refused here; an unsigned model is stored, and refused only where a
        // namespace that requires signed models would start from it (canisters.ts).
        if (req.signature) modelLock(`label ${req.label}`, req.model, req.signature, undefined);
        const model: LabelModel = {
          label: req.label,
          model: req.model,
          digest: alg.name,
          dialect,
          points: parsed.states.length,
          updatedMs: Date.now(),
          source: 'loaded',
          ...(req.signature ? { signature: req.signature } : {}),
        };
        await labels.put(model);
        return labelInfo(model);
      },
      { log, action: 'save label model' }
    ),
    DeleteLabel: unary(
      auth,
      'admin',
      async (req) => {
        if (!(await labels.delete(req.label))) throw missing(req.label);
        return {};
      },
      { log, action: 'delete label' }
    ),
  };
}
