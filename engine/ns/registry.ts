/** The engine's namespaces by name, created on demand and restored from the store. */
import { EngineError } from '../../common/errors.js';
import type { ChangeSet, NamespaceConfig, StoredDescription } from './namespace-model.js';
import type { EntryRecord } from './namespace-snapshot.js';
import type { StoreOp } from './stage.js';
import { createNamespaceConfig, NamespaceModel } from './namespace-model.js';

/** What the registry and the pipeline need from persistence (implemented by engine/store). */
export interface NamespaceStore {
  /**
   * Writes the namespace's changes (default: those since the last drain), its meta and `extra`
   * in one atomic batch, after every batch submitted before; `committed` runs once written.
   */
  persist(
    ns: NamespaceModel,
    cs?: ChangeSet,
    extra?: readonly StoreOp[],
    committed?: () => void
  ): Promise<void>;
  deleteNamespace(id: string): Promise<void>;
  loadAll(): Promise<NamespaceModel[]>;
  /** One namespace as persisted (undefined when the store holds none). */
  loadNamespace?(id: string): Promise<NamespaceModel | undefined>;
  /** Why writes fail now: set by a failed write until reopen() succeeds. */
  readonly failure?: Error;
  /** After a failure: reopens the database; rejects while it still cannot. */
  reopen?(): Promise<void>;
  /** Called with the error when a write fails, whoever made it (another part's too). */
  onFailure?(listener: (err: Error) => void): void;
  /** Resolves once every submitted write has settled. */
  idle?(): Promise<void>;
  /** Stored descriptions of these coefficients (points and findings); absent ones left out. */
  descriptions(id: string, hexes: readonly string[]): Promise<Map<string, StoredDescription>>;
  /** Every stored description of a namespace, streamed. */
  scanDescriptions(id: string): AsyncIterable<[string, StoredDescription]>;
  /** Trajectory ('t') or forensics ('f') records at these indices (undefined where none). */
  entryRecords(
    id: string,
    part: 't' | 'f',
    indices: readonly number[]
  ): Promise<(EntryRecord | undefined)[]>;
}

export interface NamespaceDefaults {
  readonly digest: string;
  readonly dialect: NamespaceConfig['dialect'];
  /** The hardware aggregate for a digest (zero without a TPM, §2.7). */
  readonly aggregate: (digest: string) => Buffer;
  /** Create namespaces named by ingested events that do not exist yet. */
  readonly autoCreate: boolean;
  /** Namespaces on the server at most (default unlimited). */
  readonly maxNamespaces?: number;
  /** Namespaces one identity may auto-create by sending events (default unlimited). */
  readonly maxCreatedPerIdentity?: number;
  /**
   * Trajectory and forensics entries per namespace whose lines stay in memory once persisted
   * (default DEFAULT_LINE_TAIL); older lines are read from the store when asked for.
   */
  readonly lineTail?: number;
}

/** The newest entries of each list whose lines a store-backed namespace keeps in memory. */
export const DEFAULT_LINE_TAIL = 256;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export function checkNamespaceName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `namespace name '${name}' is invalid: expected 1-128 characters of letters, digits and . _ : @ -, starting with a letter or digit`
    );
  }
}

export class NamespaceRegistry {
  private readonly models = new Map<string, NamespaceModel>();
  /** Namespaces each identity auto-created (since start; the server-wide limit covers restarts). */
  private readonly created = new Map<string, number>();

  constructor(
    readonly store: NamespaceStore | undefined,
    readonly defaults: NamespaceDefaults
  ) {}

  async restore(): Promise<number> {
    if (!this.store) return 0;
    for (const ns of await this.store.loadAll()) this.models.set(ns.id, this.loaded(ns));
    return this.models.size;
  }

  /** Entries per list whose lines stay in memory once persisted. */
  get lineTail(): number {
    return this.defaults.lineTail ?? DEFAULT_LINE_TAIL;
  }

  /** A namespace just read from the store holds every line the store holds: keeps only the tail. */
  loaded(ns: NamespaceModel): NamespaceModel {
    if (this.store) ns.releaseLines(ns.trajectory().length, ns.forensics().length, this.lineTail);
    return ns;
  }

  get(name: string): NamespaceModel | undefined {
    return this.models.get(name);
  }

  require(name: string): NamespaceModel {
    const ns = this.models.get(name);
    if (!ns) throw new EngineError('TSEM_NAMESPACE', `namespace '${name}' does not exist`);
    return ns;
  }

  list(): NamespaceModel[] {
    return [...this.models.values()];
  }

  /** Creates and persists a namespace; fails if it exists. */
  async create(p: Partial<NamespaceConfig> & { id: string }): Promise<NamespaceModel> {
    checkNamespaceName(p.id);
    if (this.models.has(p.id))
      throw new EngineError('TSEM_INVALID_ARGUMENT', `namespace '${p.id}' already exists`);
    const max = this.defaults.maxNamespaces;
    if (max !== undefined && this.models.size >= max)
      throw new EngineError(
        'TSEM_RESOURCE_EXHAUSTED',
        `resource exhausted: the server holds ${this.models.size} namespaces, its limit`
      );
    const digest = p.digest ?? this.defaults.digest;
    const ns = new NamespaceModel(
      createNamespaceConfig({
        dialect: this.defaults.dialect,
        ...p,
        digest,
        aggregate: p.aggregate ?? this.defaults.aggregate(digest),
      })
    );
    this.models.set(ns.id, ns);
    try {
      await this.store?.persist(ns);
    } catch (err) {
      // Not persisted, so not created: the in-memory registry never holds what the store does not.
      if (this.models.get(ns.id) === ns) this.models.delete(ns.id);
      throw err;
    }
    return ns;
  }

  /** Puts a namespace reloaded from the store in place of the in-memory one (after a failed write). */
  replace(ns: NamespaceModel): void {
    this.models.set(ns.id, ns);
  }

  /** Forgets a namespace the store does not hold (its creation was never persisted). */
  forget(name: string): void {
    this.models.delete(name);
  }

  /** The namespace an ingested event names: existing, or created when auto-creation is on (at
   * most `maxCreatedPerIdentity` by each `creator`). */
  async forIngest(name: string, creator = ''): Promise<NamespaceModel> {
    const ns = this.models.get(name);
    if (ns) return ns;
    if (!this.defaults.autoCreate) {
      throw new EngineError(
        'TSEM_NAMESPACE',
        `namespace '${name}' does not exist (the server does not create namespaces on first use)`
      );
    }
    const made = this.created.get(creator) ?? 0;
    const max = this.defaults.maxCreatedPerIdentity;
    if (max !== undefined && made >= max)
      throw new EngineError(
        'TSEM_RESOURCE_EXHAUSTED',
        `resource exhausted: identity '${creator}' created ${made} namespaces by sending events, its limit; create namespaces through Control (admin) or ask for a higher limit`
      );
    // Counted before the await: namespaces created concurrently each see the others.
    this.created.set(creator, made + 1);
    try {
      return await this.create({ id: name });
    } catch (err) {
      this.created.set(creator, (this.created.get(creator) ?? 1) - 1);
      throw err;
    }
  }

  /** Puts a namespace built elsewhere (a fleet snapshot) in place of any copy of the same name,
   * and writes it whole. */
  async adopt(ns: NamespaceModel): Promise<void> {
    checkNamespaceName(ns.id);
    if (this.models.has(ns.id)) await this.store?.deleteNamespace(ns.id);
    this.models.set(ns.id, ns);
    await this.store?.persist(ns, ns.allChanges());
  }

  /** Removes a namespace from memory and from the store (its state lives elsewhere: the fleet). */
  async evict(name: string): Promise<void> {
    if (!this.models.delete(name)) return;
    await this.store?.deleteNamespace(name);
  }

  async delete(name: string): Promise<void> {
    this.require(name);
    this.models.delete(name);
    await this.store?.deleteNamespace(name);
  }
}
