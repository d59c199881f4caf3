/** The engine's namespaces by name, created on demand and restored from the store. */
import { EngineError } from '../../common/errors.js';
import type { ChangeSet, NamespaceConfig } from './namespace-model.js';
import { createNamespaceConfig, NamespaceModel } from './namespace-model.js';

/** What the registry needs from persistence (implemented by engine/store). */
export interface NamespaceStore {
  persist(ns: NamespaceModel, cs?: ChangeSet): Promise<void>;
  deleteNamespace(id: string): Promise<void>;
  loadAll(): Promise<NamespaceModel[]>;
}

export interface NamespaceDefaults {
  readonly digest: string;
  readonly dialect: NamespaceConfig['dialect'];
  /** The hardware aggregate for a digest (zero without a TPM, §2.7). */
  readonly aggregate: (digest: string) => Buffer;
  /** Create namespaces named by ingested events that do not exist yet. */
  readonly autoCreate: boolean;
}

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

  constructor(
    readonly store: NamespaceStore | undefined,
    readonly defaults: NamespaceDefaults
  ) {}

  async restore(): Promise<number> {
    if (!this.store) return 0;
    for (const ns of await this.store.loadAll()) this.models.set(ns.id, ns);
    return this.models.size;
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
    await this.store?.persist(ns);
    return ns;
  }

  /** The namespace an ingested event names: existing, or created when auto-creation is on. */
  async forIngest(name: string): Promise<NamespaceModel> {
    const ns = this.models.get(name);
    if (ns) return ns;
    if (!this.defaults.autoCreate) {
      throw new EngineError(
        'TSEM_NAMESPACE',
        `namespace '${name}' does not exist (the server does not create namespaces on first use)`
      );
    }
    return this.create({ id: name });
  }

  async delete(name: string): Promise<void> {
    this.require(name);
    this.models.delete(name);
    await this.store?.deleteNamespace(name);
  }
}
