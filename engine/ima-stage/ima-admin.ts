/**
 * Run-time administration of the per-namespace IMA (ima.md §9.1–§9.4): each TSEM namespace's own
 * policy and appraisal keyring, set over the Control API, checked against the host's policy,
 * persisted before they apply and restored at start. The persistence is declared here, by its
 * consumer, and implemented by engine/store/ima-config-store.ts.
 *
 * A namespace without a stored policy uses the server's namespace policy; one without keys of its
 * own uses the server's keys (`--ima-key`). Its first key added over the API gives it a keyring of
 * its own, which from then on holds only the keys added to it, even when they are all removed.
 */
import { createHash } from 'node:crypto';
import { EngineError } from '../../common/errors.js';
import type { ImaNamespace } from '../ima/ima-namespace.js';
import { type ImaKey, KeyLoadError, Keyring, loadKeys } from '../ima/keys.js';
import { PolicyError, parsePolicy } from '../ima/policy-parse.js';
import { findOverrides } from '../ima/policy-override.js';
import type { ImaControl, KeyringView, KeyView, PolicyView } from '../server/ima-control.js';
import type { PolicyRule } from '../ima/policy-rule.js';

/** A policy as stored: the text as given, who set it and when. */
export interface PolicyRecord {
  readonly text: string;
  readonly by: string;
  readonly at: number;
}

/** One appraisal key as stored: the DER it was loaded from. */
export interface KeyRecord {
  readonly der: Buffer;
  readonly format: 'x509' | 'spki';
  readonly source: string;
  readonly by: string;
  readonly at: number;
}

export interface ImaConfigSnapshot {
  readonly policies: ReadonlyMap<string, PolicyRecord>;
  /** Namespaces with a keyring of their own, and its keys (possibly none). */
  readonly keyrings: ReadonlyMap<string, readonly KeyRecord[]>;
}

export interface ImaConfigPersistence {
  load(): Promise<ImaConfigSnapshot>;
  putPolicy(ns: string, rec: PolicyRecord): Promise<void>;
  /** Adds keys to the namespace's own keyring (creating it), in one atomic batch. */
  putKeys(ns: string, keys: readonly (KeyRecord & { readonly keyid: number })[]): Promise<void>;
  /** Removes the keys with this id from the namespace's own keyring; the keyring stays its own. */
  removeKeys(ns: string, keyid: number): Promise<void>;
  /** Forgets the namespace's policy and keyring (the namespace was deleted). */
  forget(ns: string): Promise<void>;
}

/** What the administration needs from the stage it configures. */
export interface ImaAdminParts {
  readonly host: { readonly text: string; readonly source: string; readonly ns: ImaNamespace };
  readonly defaultPolicy: { readonly text: string; readonly rules: readonly PolicyRule[] };
  readonly defaultKeys: readonly ImaKey[];
  /** The IMA namespace of a TSEM namespace (created on first use). */
  namespace(name: string): ImaNamespace;
  readonly log: (m: string) => void;
}

const invalid = (m: string) => new EngineError('TSEM_INVALID_ARGUMENT', m);

/** Parses a policy as the engine accepts it: kernel rules plus the engine's extensions (§9.3). */
export function parseEnginePolicy(text: string, source: string): PolicyRule[] {
  try {
    return parsePolicy(text, { extensions: true });
  } catch (err) {
    if (err instanceof PolicyError) throw invalid(`IMA policy ${source}: ${err.message}`);
    throw err;
  }
}

function keyView(k: ImaKey): KeyView {
  const spki = k.key.export({ type: 'spki', format: 'der' });
  const details = k.key.asymmetricKeyDetails;
  return {
    keyid: k.keyid.toString(16).padStart(8, '0'),
    kind: k.kind,
    ...(k.curve ? { curve: k.curve } : {}),
    ...(details?.modulusLength ? { bits: details.modulusLength } : {}),
    source: k.source,
    fingerprint: createHash('sha256').update(spki).digest('hex'),
  };
}

export class ImaAdmin implements ImaControl {
  private readonly policies = new Map<string, PolicyRecord>();
  /** Namespaces with a keyring of their own. */
  private readonly own = new Set<string>();
  private store?: ImaConfigPersistence;
  /** Changes are persisted and applied one at a time, in the order they were asked for. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly parts: ImaAdminParts) {}

  /** Loads every stored policy and keyring and applies them; call once, before any event. */
  async restore(store: ImaConfigPersistence): Promise<{ policies: number; keyrings: number }> {
    if (this.store) throw invalid('IMA configuration: restore() was already called');
    const snap = await store.load();
    for (const [ns, rec] of snap.policies) {
      const rules = parseEnginePolicy(rec.text, `of namespace ${ns} (stored)`);
      // The host policy may have changed since: its rules still apply to the namespace's accesses.
      for (const o of findOverrides(rules, this.parts.host.ns.policy))
        this.parts.log(`IMA: warning: stored policy of namespace ${ns}: ${o.message}`);
      this.parts.namespace(ns).replacePolicy(rules);
      this.policies.set(ns, rec);
    }
    for (const [ns, records] of snap.keyrings) {
      const ring = new Keyring(records.flatMap((r) => this.keysOf(r.der, r.source)));
      this.parts.namespace(ns).setKeyring(ring);
      this.own.add(ns);
    }
    this.store = store;
    return { policies: snap.policies.size, keyrings: snap.keyrings.size };
  }

  /**
   * Applies the run-time policies and keyrings again to rebuilt IMA namespaces (after a failed
   * store write reloads the logs); `previous` names the namespaces they replaced.
   */
  reapply(previous: (ns: string) => ImaNamespace): void {
    for (const [ns, rec] of this.policies)
      this.parts.namespace(ns).replacePolicy(parseEnginePolicy(rec.text, `of namespace ${ns}`));
    for (const ns of this.own) this.parts.namespace(ns).setKeyring(previous(ns).keyring);
  }

  /** The namespace's policy, or the host's when `ns` is null. */
  policy(ns: string | null): PolicyView {
    if (ns === null) {
      const h = this.parts.host;
      return { text: h.text, rules: h.ns.policy.length, source: h.source };
    }
    const rec = this.policies.get(ns);
    if (!rec) {
      const d = this.parts.defaultPolicy;
      return { text: d.text, rules: d.rules.length, source: 'default' };
    }
    return {
      text: rec.text,
      rules: this.parts.namespace(ns).policy.length,
      source: 'api',
      by: rec.by,
      at: rec.at,
    };
  }

  /**
   * Checks a namespace policy (syntax, and no rule switching off a host rule) and returns its rules;
   * throws an EngineError naming the line, or both rules, otherwise.
   */
  check(ns: string, text: string): PolicyRule[] {
    const rules = parseEnginePolicy(text, `for namespace ${ns}`);
    const overrides = findOverrides(rules, this.parts.host.ns.policy);
    if (overrides.length > 0) {
      const more = overrides.length > 1 ? ` (and ${overrides.length - 1} more such rule(s))` : '';
      throw invalid(`IMA policy for namespace ${ns}: ${overrides[0]!.message}${more}`);
    }
    return rules;
  }

  /**
   * Sets a namespace's policy: checked, persisted, then applied by `apply` (which the caller runs
   * in the namespace's pipeline order, so it takes effect from the next event).
   */
  setPolicy(
    ns: string,
    text: string,
    by: string,
    apply: (run: () => void) => Promise<void>
  ): Promise<PolicyView> {
    const rules = this.check(ns, text);
    return this.serial(async () => {
      const rec: PolicyRecord = { text, by, at: Date.now() };
      await this.persistent().putPolicy(ns, rec);
      await apply(() => {
        this.parts.namespace(ns).replacePolicy(rules);
        this.policies.set(ns, rec);
      });
      this.parts.log(`IMA: policy of namespace ${ns} set by ${by}: ${rules.length} rule(s)`);
      return this.policy(ns);
    });
  }

  /** The namespace's keyring, or the host's when `ns` is null. */
  keyring(ns: string | null): KeyringView {
    if (ns === null) return { own: true, keys: this.parts.host.ns.keyring.keys().map(keyView) };
    if (!this.own.has(ns)) return { own: false, keys: this.parts.defaultKeys.map(keyView) };
    return { own: true, keys: this.parts.namespace(ns).keyring.keys().map(keyView) };
  }

  /** Adds the keys in `data` (X.509 certificates or public keys, PEM or DER, RSA or EC). */
  addKeys(
    ns: string,
    data: Buffer,
    source: string,
    by: string,
    apply: (run: () => void) => Promise<void>
  ): Promise<KeyringView> {
    const keys = this.keysOf(data, source);
    return this.serial(async () => {
      const at = Date.now();
      await this.persistent().putKeys(
        ns,
        keys.map((k) => ({ keyid: k.keyid, der: k.der, format: k.format, source, by, at }))
      );
      await apply(() => {
        const level = this.parts.namespace(ns);
        const ring = this.own.has(ns) ? level.keyring : new Keyring();
        for (const k of keys) ring.add(k);
        level.setKeyring(ring);
        this.own.add(ns);
      });
      const ids = keys.map((k) => k.keyid.toString(16).padStart(8, '0')).join(', ');
      this.parts.log(`IMA: key(s) ${ids} added to namespace ${ns} by ${by}`);
      return this.keyring(ns);
    });
  }

  /** Removes the keys with `keyid` (8 hex digits) from the namespace's own keyring. */
  removeKey(
    ns: string,
    keyidHex: string,
    by: string,
    apply: (run: () => void) => Promise<void>
  ): Promise<KeyringView> {
    if (!/^[0-9a-fA-F]{1,8}$/.test(keyidHex))
      throw invalid(`keyid: expected up to 8 hex digits, got '${keyidHex}'`);
    const keyid = Number.parseInt(keyidHex, 16);
    return this.serial(async () => {
      const level = this.parts.namespace(ns);
      if (!this.own.has(ns) || level.keyring.find(keyid).length === 0) {
        throw new EngineError(
          'TSEM_NAMESPACE',
          `namespace ${ns} has no key ${keyidHex.toLowerCase()} of its own (tsem ima key list --namespace ${ns})`
        );
      }
      await this.persistent().removeKeys(ns, keyid);
      await apply(() => {
        level.keyring.remove(keyid);
        level.setKeyring();
      });
      this.parts.log(`IMA: key ${keyidHex.toLowerCase()} removed from namespace ${ns} by ${by}`);
      return this.keyring(ns);
    });
  }

  /** Forgets a deleted namespace's policy and keyring: a namespace of that name starts afresh. */
  forget(ns: string): Promise<void> {
    return this.serial(async () => {
      if (!this.policies.has(ns) && !this.own.has(ns)) return;
      await this.persistent().forget(ns);
      this.policies.delete(ns);
      this.own.delete(ns);
      const level = this.parts.namespace(ns);
      level.replacePolicy(this.parts.defaultPolicy.rules);
      level.setKeyring(new Keyring(this.parts.defaultKeys));
    });
  }

  private keysOf(data: Buffer, source: string): ImaKey[] {
    try {
      return loadKeys(data, source);
    } catch (err) {
      if (err instanceof KeyLoadError) throw invalid(`IMA key: ${err.message}`);
      throw err;
    }
  }

  private persistent(): ImaConfigPersistence {
    if (!this.store)
      throw new EngineError(
        'TSEM_STORE',
        'IMA configuration: restore() was not awaited, changes cannot be persisted'
      );
    return this.store;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.catch(() => undefined).then(fn);
    this.chain = run;
    return run;
  }
}
