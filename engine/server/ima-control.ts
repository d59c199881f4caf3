/**
 * The Control service's per-namespace IMA administration (ima.md §9.1, §9.4): policies and
 * appraisal keyrings. Changes need the admin role (an admin limited to the namespace will do) and
 * apply in the namespace's pipeline order; reading the host's needs an unlimited identity.
 */
import type { ControlHandlers } from '../../proto/gen/tsem/v1/Control.js';
import type { ImaKeyring } from '../../proto/gen/tsem/v1/ImaKeyring.js';
import type { ImaPolicy } from '../../proto/gen/tsem/v1/ImaPolicy.js';
import { EngineError } from '../../common/errors.js';
import type { Log } from '../../common/log.js';
import type { NamespaceModel } from '../ns/namespace-model.js';
import type { AuthConfig } from './auth.js';
import { invalid } from './to-status.js';
import { requireUnlimited, unary } from './unary.js';

export interface PolicyView {
  readonly text: string;
  readonly rules: number;
  /** `api` (set over Control), `default` (the server's namespace policy), or the host's source. */
  readonly source: string;
  readonly by?: string;
  readonly at?: number;
}

export interface KeyView {
  readonly keyid: string;
  readonly kind: 'rsa' | 'ec';
  readonly curve?: string;
  readonly bits?: number;
  readonly source: string;
  /** SHA-256 of the key's SPKI DER, hex. */
  readonly fingerprint: string;
}

export interface KeyringView {
  /** False: the namespace appraises with the server's keys (no key of its own was ever added). */
  readonly own: boolean;
  readonly keys: readonly KeyView[];
}

/** Runs a change in the namespace's pipeline order, so it applies from the next event. */
export type Apply = (run: () => void) => Promise<void>;

/** What the IMA stage offers for administration (engine/ima-stage/ima-admin.ts implements it). */
export interface ImaControl {
  /** The namespace's policy, or the host's when `ns` is null. */
  policy(ns: string | null): PolicyView;
  setPolicy(ns: string, text: string, by: string, apply: Apply): Promise<PolicyView>;
  keyring(ns: string | null): KeyringView;
  addKeys(ns: string, data: Buffer, source: string, by: string, apply: Apply): Promise<KeyringView>;
  removeKey(ns: string, keyid: string, by: string, apply: Apply): Promise<KeyringView>;
  forget(ns: string): Promise<void>;
}

/** Runs `run` in the namespace's pipeline order. */
export type InOrder = (ns: string, run: () => void) => Promise<void>;

type ImaHandlers = Pick<
  ControlHandlers,
  'SetImaPolicy' | 'GetImaPolicy' | 'AddImaKey' | 'RemoveImaKey' | 'ListImaKeys'
>;

/** Policy texts above this are refused (a policy is rules, not data). */
const MAX_POLICY_BYTES = 1 << 20;

function policyOut(name: string, p: PolicyView): ImaPolicy {
  return {
    name,
    policy: p.text,
    rules: p.rules,
    source: p.source,
    set_by: p.by ?? '',
    set_at_ms: String(p.at ?? 0),
  };
}

function keyringOut(name: string, k: KeyringView): ImaKeyring {
  return {
    name,
    own: k.own,
    keys: k.keys.map((x) => ({
      keyid: x.keyid,
      kind: x.kind,
      curve: x.curve ?? '',
      bits: x.bits ?? 0,
      source: x.source,
      fingerprint: x.fingerprint,
    })),
  };
}

export function imaControlHandlers(
  auth: AuthConfig,
  admin: ImaControl | undefined,
  need: (name: string) => NamespaceModel,
  inOrder: InOrder,
  /** Admin actions are logged with the caller's identity. */
  log?: Log
): ImaHandlers {
  const ima = (): ImaControl => {
    if (!admin) throw new EngineError('TSEM_UNAVAILABLE', 'IMA is not enabled on this server');
    return admin;
  };
  return {
    SetImaPolicy: unary(
      auth,
      'admin',
      async (req, id) => {
        need(req.name);
        if (Buffer.byteLength(req.policy) > MAX_POLICY_BYTES)
          throw invalid(`policy: at most ${MAX_POLICY_BYTES} bytes`);
        const view = await ima().setPolicy(req.name, req.policy, id.name, (run) =>
          inOrder(req.name, run)
        );
        return policyOut(req.name, view);
      },
      { log, action: 'set IMA policy' }
    ),
    GetImaPolicy: unary(auth, 'viewer', (req, id) => {
      if (req.host) {
        requireUnlimited(id, 'the host IMA policy');
        return policyOut('', ima().policy(null));
      }
      need(req.name);
      return policyOut(req.name, ima().policy(req.name));
    }),
    AddImaKey: unary(
      auth,
      'admin',
      async (req, id) => {
        need(req.name);
        if (req.key.length === 0) throw invalid('key: expected a certificate or public key');
        const view = await ima().addKeys(req.name, req.key, req.source || 'api', id.name, (run) =>
          inOrder(req.name, run)
        );
        return keyringOut(req.name, view);
      },
      { log, action: 'add IMA key', fields: (r) => ({ source: r.source }) }
    ),
    RemoveImaKey: unary(
      auth,
      'admin',
      async (req, id) => {
        need(req.name);
        const view = await ima().removeKey(req.name, req.keyid, id.name, (run) =>
          inOrder(req.name, run)
        );
        return keyringOut(req.name, view);
      },
      { log, action: 'remove IMA key', fields: (r) => ({ keyid: r.keyid }) }
    ),
    ListImaKeys: unary(auth, 'viewer', (req, id) => {
      if (req.host) {
        requireUnlimited(id, 'the host IMA keyring');
        return keyringOut('', ima().keyring(null));
      }
      need(req.name);
      return keyringOut(req.name, ima().keyring(req.name));
    }),
  };
}
