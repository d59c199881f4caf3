/**
 * Builds the engine's IMA: one host IMA namespace and, per TSEM namespace, a child created on
 * first use (see ima-stage.ts for the design). Returns the pipeline stage and the log
 * server behind the Control service's GetImaLog. Bad configuration throws an EngineError that
 * names the policy line and keyword, the key file, or the option.
 */
import { EngineError } from '../../common/errors.js';
import { canHash, digestSize } from '../ima/hash-algo.js';
import { ImaNamespace } from '../ima/ima-namespace.js';
import { type ImaKey, KeyLoadError, Keyring, loadKeys } from '../ima/keys.js';
import { templateFieldIds } from '../ima/template-fields.js';
import type { TemplateEntry } from '../ima/template-entry.js';
import type { PipelineStage } from '../ns/stage.js';
import type { ImaLogs } from '../server/control-service.js';
import { type FileReaders, ImaStage } from './ima-stage.js';
import { type ImaLogPersistence, type ImaRestored, ImaLogSync } from './ima-log-sync.js';
import { ImaAdmin, parseEnginePolicy } from './ima-admin.js';
import { shippedPolicy } from './io/stage-files.js';
import { loadNativeAddon } from '../../native/addon.js';
import { hashFileSync, readLocalImaXattr } from './io/local-files.js';

/** A key (X.509 certificate or public key, PEM or DER) and where it came from, for messages. */
export interface KeySource {
  readonly data: Buffer;
  readonly source: string;
}

export interface ImaStageOptions {
  /** Host policy text (ima.md §3); default: the shipped policies/ima/tcb. */
  readonly policy?: string;
  /** Names the policy in errors (a file name). */
  readonly policySource?: string;
  /** Policy of each TSEM namespace's IMA namespace until one is set (ima.md §9.1); default: the host policy. */
  readonly namespacePolicy?: string;
  /**
   * Appraisal keys: the host's keyring, and the keyring of every namespace that has none of its
   * own (ima.md §9.4).
   */
  readonly keys?: readonly (Buffer | KeySource)[];
  /** Where the engine logs configuration changes (default: nowhere). */
  readonly log?: (m: string) => void;
  /** Template of each namespace's own entries (default ima-ng); the host logs theirs as ima-ns. */
  readonly template?: string;
  /** ima_hash_algo (default sha256). */
  readonly hashAlgo?: string;
  /** Template-digest banks of every log (default sha1, sha256): what GetImaLog can serve. */
  readonly banks?: readonly string[];
  /** The host log's boot_aggregate; default zeros in ima_hash_algo, as without a TPM (ima.md §2). */
  readonly bootAggregate?: { readonly algo: string; readonly digest: Buffer };
  /** Name of the host level in records (default `host`). */
  readonly hostName?: string;
  /** Default: getxattr(2) on the local file (the native addon). Give `() => undefined` when no event's file is local. */
  readonly readXattr?: FileReaders['readXattr'];
  /** Default: hash the local file. */
  readonly hashFile?: FileReaders['hashFile'];
  /**
   * Where every level's log is kept across restarts (engine/store/ima-log-store.ts). With it,
   * `restore()` must complete before the first event; entries are written in the batch of the
   * events that made them.
   */
  readonly store?: ImaLogPersistence;
}

export interface ImaStageParts {
  readonly stage: PipelineStage;
  readonly logs: ImaLogs;
  /** The host IMA namespace (its log holds an ima-ns entry per namespace's measurement). */
  readonly host: ImaNamespace;
  /** The host log's entries written to the store (all of them without a store): what PCR 10 may take. */
  durableHostEntries(): readonly TemplateEntry[];
  /** The IMA namespace of a TSEM namespace (created on first use). */
  namespace(name: string): ImaNamespace;
  /** Per-namespace policies and keyrings at run time (the Control API's IMA calls). */
  readonly admin: ImaAdmin;
  /**
   * Loads every level's log and file marks from `store` (default: the `store` option) and from
   * then on persists new entries before events are acknowledged. Call once, before any event.
   */
  restore(store?: ImaLogPersistence): Promise<ImaRestored>;
}

const invalid = (message: string) => new EngineError('TSEM_INVALID_ARGUMENT', message);

function keysOf(keys: readonly (Buffer | KeySource)[]): ImaKey[] {
  return keys.flatMap((k, i) => {
    const { data, source } = Buffer.isBuffer(k) ? { data: k, source: `key ${i + 1}` } : k;
    try {
      return loadKeys(data, source);
    } catch (err) {
      if (err instanceof KeyLoadError) throw invalid(`IMA key: ${err.message}`);
      throw err;
    }
  });
}

function checkOptions(template: string, hashAlgo: string, banks: readonly string[]): void {
  const ids = templateFieldIds(template);
  if (typeof ids === 'string') throw invalid(`IMA template: ${ids}`);
  if (!canHash(hashAlgo))
    throw invalid(`IMA hash algorithm: expected a kernel hash such as sha256, got '${hashAlgo}'`);
  if (banks.length === 0) throw invalid('IMA banks: expected at least one bank such as sha1');
  for (const b of banks)
    if (!canHash(b))
      throw invalid(`IMA bank: expected a kernel hash such as sha1 or sha256, got '${b}'`);
  // ima.md §1.4: ima_template=ima is refused unless the hash is sha1 or md5.
  if (template === 'ima' && hashAlgo !== 'sha1' && hashAlgo !== 'md5')
    throw invalid(`IMA template 'ima' needs hash algorithm sha1 or md5, got '${hashAlgo}'`);
}

export function createImaStage(opts: ImaStageOptions = {}): ImaStageParts {
  const shipped = opts.policy === undefined ? shippedPolicy('tcb') : undefined;
  const hostText = opts.policy ?? shipped!.text;
  const hostSource = opts.policySource ?? shipped?.source ?? 'text';
  // The engine's own policies may use its extensions (ima.md §9.3).
  const hostRules = parseEnginePolicy(hostText, hostSource);
  const nsText = opts.namespacePolicy ?? hostText;
  const nsRules =
    opts.namespacePolicy === undefined
      ? hostRules
      : parseEnginePolicy(opts.namespacePolicy, 'for namespaces');
  const keys = keysOf(opts.keys ?? []);
  const template = opts.template ?? 'ima-ng';
  const hashAlgo = opts.hashAlgo ?? 'sha256';
  const banks = opts.banks ?? ['sha1', 'sha256'];
  checkOptions(template, hashAlgo, banks);
  const boot = opts.bootAggregate ?? {
    algo: hashAlgo,
    digest: Buffer.alloc(digestSize(hashAlgo)!),
  };

  // Every level enforces inside ImaNamespace (so `allowed` reports any failure); the stage
  // denies only in TSEM namespaces whose mode is enforce.
  const common = { template, hashAlgo, banks, enforce: true } as const;
  const build = () =>
    new ImaStage(
      new ImaNamespace({
        ...common,
        name: opts.hostName ?? 'host',
        policy: hostRules,
        keyring: new Keyring(keys),
        bootAggregate: boot,
      }),
      (name, parent) =>
        new ImaNamespace({ ...common, name, parent, policy: nsRules, keyring: new Keyring(keys) }),
      { readXattr: opts.readXattr ?? localXattrReader(), hashFile: opts.hashFile ?? hashFileSync }
    );
  // Replaced, with its sync, when the store is reloaded after a failed write.
  let imaStage = build();
  const logs: ImaLogs = {
    log(ns, format, bank) {
      if (!banks.includes(bank))
        throw invalid(`bank: expected one of ${banks.join(', ')}, got '${bank}'`);
      const log = (ns === null ? imaStage.host : imaStage.namespace(ns)).log;
      return {
        log: format === 'binary' ? log.toBinary(bank) : Buffer.from(log.toAscii(bank), 'utf8'),
        entries: log.entries.length,
        pcr10: log.aggregate(bank).toString('hex'),
      };
    },
  };
  let sync: ImaLogSync | undefined;
  let persistence: ImaLogPersistence | undefined;
  let unsynced = 0;
  const stage: PipelineStage = {
    afterVerdict: (ns, event) => {
      if (!sync) unsynced++;
      return imaStage.afterVerdict(ns, event);
    },
    persistOps: () => {
      if (sync) return sync.take();
      // A store given but not restored: acknowledging would lose the entries on a restart.
      if (opts.store)
        throw new EngineError(
          'TSEM_STORE',
          'IMA logs: the stage has a store but restore() was not awaited before the first event'
        );
      return undefined;
    },
    // A failed write: the logs come back from the store as it is, so that they hold no entry of
    // an event that was not persisted.
    storeRecovered: async () => {
      if (!persistence) return;
      const fresh = build();
      const s = new ImaLogSync(fresh, persistence);
      await s.restore();
      const previous = imaStage;
      imaStage = fresh;
      sync = s;
      // Policies and keyrings set at run time are kept in memory as well as in the store.
      admin.reapply((name) => previous.namespace(name));
    },
  };
  async function restore(store = opts.store): Promise<ImaRestored> {
    if (!store)
      throw invalid('IMA logs: restore() needs a store (the store option or its argument)');
    if (sync) throw invalid('IMA logs: restore() was already called');
    // Entries logged before the restore would precede the restored ones: refuse, loudly (checked
    // again once loaded, for events that came while the store was read).
    const early = () => {
      if (unsynced > 0)
        throw invalid(
          `IMA logs: restore() must complete before the first event; ${unsynced} event(s) came earlier`
        );
    };
    early();
    const s = new ImaLogSync(imaStage, store);
    const restored = await s.restore(early);
    sync = s;
    persistence = store;
    return restored;
  }
  const admin = new ImaAdmin({
    host: {
      text: hostText,
      source: hostSource,
      get ns() {
        return imaStage.host;
      },
    },
    defaultPolicy: { text: nsText, rules: nsRules },
    defaultKeys: keys,
    namespace: (name) => imaStage.namespace(name),
    log: opts.log ?? (() => undefined),
  });
  return {
    stage,
    logs,
    get host() {
      return imaStage.host;
    },
    durableHostEntries: () => {
      const all = imaStage.host.log.entries;
      return sync ? all.slice(0, sync.durableCount(imaStage.host)) : all;
    },
    namespace: (name) => imaStage.namespace(name),
    admin,
    restore,
  };
}

/** The local reader, with the native addon loaded now: a missing build fails the start, not each event. */
function localXattrReader(): FileReaders['readXattr'] {
  loadNativeAddon();
  return readLocalImaXattr;
}
