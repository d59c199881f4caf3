/**
 * Per-namespace IMA state (ima.md §6, §8.8): own policy, keyring, log and PCR-10-style aggregate,
 * evaluated together with every ancestor up to the root so a child cannot switch off a host rule
 * (Berger's hierarchical processing). Each level keeps an inode cache keyed by the namespace the
 * access came from, inode and change cookie, so a file is measured once per namespace until it
 * changes (Bottomley RFC patch 3). Entries a parent logs for a child's access use `ima-ns`,
 * whose `ns` field carries the child's id.
 */
import { appraiseFile, type AppraiseResult } from './appraise.js';
import { buildEntry } from './entry-builder.js';
import { digestSize, hashBytes } from './hash-algo.js';
import { xattrHashAlgo } from './ima-xattr.js';
import { Keyring } from './keys.js';
import { MeasurementLog } from './measurement-log.js';
import { matchPolicy, type PolicyContext } from './policy-match.js';
import { MAY, type PolicyRule } from './policy-rule.js';

export interface FileEvent extends PolicyContext {
  readonly path: string;
  readonly ino: bigint | number;
  readonly dev?: bigint | number;
  /** i_version, or mtime when the filesystem has none: a different value means the file changed. */
  readonly version: string | bigint | number;
  /** Raw `security.ima` (undefined when absent). */
  readonly xattr?: Uint8Array;
  readonly xattrSupported?: boolean;
  /** File digest in a kernel hash algorithm; called only for the algorithms needed. */
  readonly digest: (algo: string) => Uint8Array;
  readonly size?: number;
  readonly newFile?: boolean;
}

/** An INTEGRITY_DATA-style record (ima.md §4.3, type 1800 op=appraise_data). */
export interface IntegrityRecord {
  readonly type: 1800;
  readonly op: 'appraise_data';
  readonly namespace: string;
  /** Namespace the access happened in. */
  readonly origin: string;
  readonly status: AppraiseResult['status'];
  readonly cause: string;
  readonly name: string;
  readonly ino: string;
  readonly res: 0;
  /** True when this namespace enforces, so the access is denied. */
  readonly enforced: boolean;
}

export interface FileOutcome {
  /** False when an enforcing level's appraisal failed: deny the open/exec (-EACCES). */
  readonly allowed: boolean;
  /** Namespaces that appended an entry for this event. */
  readonly measuredIn: string[];
  /** Appraisal result per namespace that appraised. */
  readonly appraisals: ReadonlyMap<string, AppraiseResult>;
  readonly records: IntegrityRecord[];
}

export interface NamespaceOptions {
  readonly name: string;
  /** 16-byte id for the `ns` field; default: the first 16 bytes of SHA-256("ima-ns:" + name). */
  readonly id?: Uint8Array;
  readonly parent?: ImaNamespace;
  readonly policy?: readonly PolicyRule[];
  readonly keyring?: Keyring;
  /** Template for its own accesses (default ima-ng) and for descendants' (default ima-ns). */
  readonly template?: string;
  readonly childTemplate?: string;
  /** ima_hash_algo (default sha256) and the PCR banks of its aggregate. */
  readonly hashAlgo?: string;
  readonly banks?: readonly string[];
  /** ima_appraise=enforce: failed appraisals deny the access. */
  readonly enforce?: boolean;
  /** First entry of the log; digest of the chosen bank, or zeros without a TPM (ima.md §2). */
  readonly bootAggregate?: { readonly algo: string; readonly digest: Uint8Array };
}

interface CacheEntry {
  version: string;
  measuredPcrs: Set<number>;
  /** Cached appraisal per policy func (the kernel keeps one status per func class). */
  appraised: Map<string, AppraiseResult>;
}

export class ImaNamespace {
  readonly name: string;
  readonly id: Buffer;
  readonly parent: ImaNamespace | undefined;
  readonly log: MeasurementLog;
  private ring: Keyring;
  readonly template: string;
  readonly childTemplate: string;
  readonly hashAlgo: string;
  readonly enforce: boolean;
  private rules: PolicyRule[];
  /** `<origin ns>:<dev>:<ino>` → state; reset when the change cookie differs. */
  private readonly cache = new Map<string, CacheEntry>();

  constructor(o: NamespaceOptions) {
    this.name = o.name;
    this.id = Buffer.from(
      o.id ?? hashBytes('sha256', Buffer.from(`ima-ns:${o.name}`)).subarray(0, 16)
    );
    if (this.id.length !== 16)
      throw new RangeError(`namespace id must be 16 bytes, got ${this.id.length}`);
    this.parent = o.parent;
    this.rules = [...(o.policy ?? [])];
    this.ring = o.keyring ?? new Keyring();
    this.template = o.template ?? 'ima-ng';
    this.childTemplate = o.childTemplate ?? 'ima-ns';
    this.hashAlgo = o.hashAlgo ?? 'sha256';
    this.enforce = o.enforce ?? false;
    this.log = new MeasurementLog(o.banks ?? ['sha1', 'sha256'], this.hashAlgo);
    if (o.bootAggregate) {
      const { algo, digest } = o.bootAggregate;
      this.log.add(
        buildEntry(10, this.template, {
          algo,
          digest,
          name: 'boot_aggregate',
          sha1Digest: algo === 'sha1' ? digest : Buffer.alloc(20),
          nsId: this.id,
        })
      );
    }
  }

  get policy(): readonly PolicyRule[] {
    return this.rules;
  }

  /** The keys this namespace appraises with (its own `.ima` keyring, not its ancestors'). */
  get keyring(): Keyring {
    return this.ring;
  }

  /**
   * Gives the namespace another keyring, or tells it its keyring changed (ima.md §9.4). Cached
   * appraisal results are dropped: a removed key must not keep passing files it once verified.
   */
  setKeyring(keyring: Keyring = this.ring): void {
    this.ring = keyring;
    for (const c of this.cache.values()) c.appraised.clear();
  }

  /** Later loads append, rules are never deleted (ima.md §3.6); the iint cache is kept. */
  appendPolicy(rules: readonly PolicyRule[]): void {
    this.rules.push(...rules);
  }

  /**
   * Replaces this namespace's own rules (the Control API's policy set, ima.md §9.1); ancestors'
   * rules still apply through hierarchical evaluation. The iint cache is kept, as on a load.
   */
  replacePolicy(rules: readonly PolicyRule[]): void {
    this.rules = [...rules];
  }

  /** This namespace and its ancestors, innermost first. */
  lineage(): ImaNamespace[] {
    const out: ImaNamespace[] = [this];
    for (let n = this.parent; n; n = n.parent) out.push(n);
    return out;
  }

  /** Runs a file access (open, exec, mmap) in this namespace through every level up to the root. */
  handleFile(ev: FileEvent): FileOutcome {
    const measuredIn: string[] = [];
    const appraisals = new Map<string, AppraiseResult>();
    const records: IntegrityRecord[] = [];
    let allowed = true;
    for (const level of this.lineage()) {
      const r = level.evaluate(ev, this);
      if (r.measured) measuredIn.push(level.name);
      if (r.appraisal) {
        appraisals.set(level.name, r.appraisal);
        const failed = r.appraisal.status !== 'INTEGRITY_PASS' || r.writeToSigned;
        if (failed && level.enforce) allowed = false;
        if (r.appraisal.status !== 'INTEGRITY_PASS' && r.appraisal.cause) {
          records.push({
            type: 1800,
            op: 'appraise_data',
            namespace: level.name,
            origin: this.name,
            status: r.appraisal.status,
            cause: r.appraisal.cause,
            name: ev.path,
            ino: String(ev.ino),
            res: 0,
            enforced: level.enforce,
          });
        }
      }
    }
    return { allowed, measuredIn, appraisals, records };
  }

  /** Adds a violation entry (ToMToU, open_writers): zero template digest, 0xFF extend (§1.6). */
  addViolation(path: string): void {
    const size = digestSize(this.hashAlgo)!;
    this.log.add(
      buildEntry(10, this.template, {
        algo: this.hashAlgo,
        digest: Buffer.alloc(size),
        name: path,
        nsId: this.id,
        violation: true,
      })
    );
  }

  private evaluate(
    ev: FileEvent,
    origin: ImaNamespace
  ): { measured: boolean; appraisal?: AppraiseResult; writeToSigned: boolean } {
    const d = matchPolicy(this.rules, ev);
    if (!d.measure && !d.appraise) return { measured: false, writeToSigned: false };
    const key = `${origin.name}:${String(ev.dev ?? 0)}:${String(ev.ino)}`;
    const version = String(ev.version);
    let c = this.cache.get(key);
    if (!c || c.version !== version) {
      // A changed file is re-measured and re-appraised (ima.md §4.5, last-writer invalidation).
      c = { version, measuredPcrs: new Set(), appraised: new Map() };
      this.cache.set(key, c);
    }
    // The file is hashed with the xattr's algorithm when it has one (ima_get_hash_algo, §4.2).
    const algo = xattrHashAlgo(ev.xattr, this.hashAlgo);
    let measured = false;
    if (d.measure && !c.measuredPcrs.has(d.pcr)) {
      const template = d.template ?? (origin === this ? this.template : this.childTemplate);
      const digest = ev.digest(algo);
      const needsSha1 = template === 'ima' || template.split('|').includes('d');
      const entry = buildEntry(d.pcr, template, {
        algo,
        digest,
        name: ev.path,
        nsId: origin.id,
        ...(ev.xattr ? { xattr: ev.xattr } : {}),
        ...(needsSha1 && algo !== 'sha1' ? { sha1Digest: ev.digest('sha1') } : {}),
      });
      measured = this.log.add(entry);
      // IMA_MEASURED is set even when the template digest already existed (-EEXIST).
      c.measuredPcrs.add(d.pcr);
    }
    let appraisal: AppraiseResult | undefined;
    if (d.appraise) {
      // cache_result=no (ima.md §9.3): neither use nor keep a cached status; appraise every access.
      appraisal = d.cacheResult ? c.appraised.get(ev.func) : undefined;
      if (!appraisal) {
        appraisal = appraiseFile({
          xattr: ev.xattr,
          algo,
          digest: ev.digest(algo),
          keyring: this.ring,
          digsigRequired: d.digsigRequired,
          verityRequired: d.verityRequired,
          ...(d.appraiseAlgos ? { allowedAlgos: d.appraiseAlgos } : {}),
          ...(ev.xattrSupported !== undefined ? { xattrSupported: ev.xattrSupported } : {}),
          ...(ev.newFile !== undefined ? { newFile: ev.newFile } : {}),
          ...(ev.size !== undefined ? { size: ev.size } : {}),
        });
        if (d.cacheResult) c.appraised.set(ev.func, appraisal);
      }
    }
    // Signed files are immutable: a write open of a signed, appraised file fails (ima.md §4.2).
    const writeToSigned = !!appraisal?.signed && (ev.mask & MAY.MAY_WRITE!) !== 0 && !ev.newFile;
    return { measured, ...(appraisal ? { appraisal } : {}), writeToSigned };
  }
}
