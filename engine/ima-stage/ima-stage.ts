/**
 * IMA inside the engine: a pipeline stage that runs IMA on the file events the behavioral model
 * sees (file_open, mmap_file; see file-access.ts), one IMA namespace per TSEM namespace, each a
 * child of one host namespace. Every access is evaluated by the TSEM namespace's own IMA policy
 * and by the host's (hierarchical, ima.md §6), so the namespace's log gets an ima-ng entry and
 * the host's an ima-ns entry naming the namespace; each level measures a file once per
 * namespace until its contents change (Bottomley's per-namespace iint cache).
 *
 * Pure apart from the injected readers. Where the bytes come from:
 * - the digest IMA needs is the event's CELL digest when the IMA algorithm (ima_hash_algo, or
 *   the one `security.ima` names, ima.md §4.2) equals the TSEM namespace's digest: it is the hash
 *   of the contents the event is about, taken when it happened. Any other algorithm is read from
 *   the local file (`hashFile`), which works when the source runs inside the server.
 * - `security.ima` is always the local file's (`readXattr`); an event from another machine has
 *   none here, so its appraisal fails with `missing-hash`, which is the fail-closed answer.
 * - When neither gives the digest, a measuring level logs a violation entry (zero template
 *   digest, ima.md §1.6) in place of the measurement, and an appraising level fails the access
 *   as the kernel's collect failure does.
 *
 * A file is identified by (device, path) with its CELL digest as the change cookie: the events
 * carry no inode number. `security.ima` joins the cookie, so a changed signature re-appraises.
 * Reading it costs a process spawn (~10 ms), so it is kept per (path, contents) until the path's
 * contents change or an inode_setxattr/inode_removexattr event of security.ima names the path
 * (the kernel's own invalidation, ima.md §4.5). A source that reports no xattr events leaves an
 * xattr-only change unseen until the contents change; the kept value was read for exactly
 * these contents, so a stale verdict is still one that held for them.
 * Appraisal denies only in a TSEM namespace whose mode is `enforce`; in learn, audit and sealed
 * it is reported (records with `status: fail`, which make the notice an alert) but never denies.
 */
import { errorMessage } from '../../common/errors.js';
import type { Mutable } from '../../common/mutable.js';
import type { TsemEvent } from '../event/event.js';
import type { FileEvent, FileOutcome, ImaNamespace } from '../ima/ima-namespace.js';
import { xattrHashAlgo } from '../ima/ima-xattr.js';
import { matchPolicy, type PolicyDecision } from '../ima/policy-match.js';
import type { PipelineStage, StageResult } from '../ns/stage.js';
import type { NamespaceModel } from '../ns/namespace-model.js';
import { type FileAccess, fileAccessOf } from './file-access.js';
import {
  appraiseRecord,
  collectFailedRecord,
  type ImaRecord,
  measureRecord,
  signedWriteRecord,
} from './ima-records.js';

/** Local file access, injected: both return undefined when the file is not readable here. */
export interface FileReaders {
  /** Raw `security.ima`, or undefined when the file has none or is not here. */
  readXattr(path: string): Buffer | undefined;
  /** The file's digest in kernel hash algorithm `algo`, or undefined when it is not here. */
  hashFile(path: string, algo: string): Buffer | undefined;
}

/** What this stage remembers per (TSEM namespace, file) to skip work the IMA levels would skip. */
interface FileState {
  /** CELL digest hex: a different one means the file changed. */
  digest: string;
  /** `<level depth>:<pcr>` already measured (or given a violation entry) for this content. */
  readonly measured: Set<string>;
  /** `<level>:<func>` → change cookie whose passing appraisal was reported. */
  readonly passReported: Map<string, string>;
}

/** A file's measured levels for one TSEM namespace, as persisted so a restart skips it too. */
export interface FileMark {
  /** `<tsem ns>\0<dev>:<path>` */
  readonly key: string;
  /** CELL digest hex of the contents measured. */
  readonly digest: string;
  /** `<level depth>:<pcr>` measured for these contents. */
  readonly measured: readonly string[];
}

interface Level {
  readonly ns: ImaNamespace;
  /** 0 for the TSEM namespace's own level, 1 for the host: names could collide, depths cannot. */
  readonly depth: number;
  readonly d: PolicyDecision;
}

/** One file access being judged: what every step of handle() needs. */
interface Access {
  readonly model: NamespaceModel;
  readonly a: FileAccess;
  /** The levels whose policy measures or appraises this access, own level first. */
  readonly levels: readonly Level[];
  /** `<tsem ns>\0<dev>:<path>`: the key of `state` and of its persisted mark. */
  readonly key: string;
  readonly state: FileState;
  /** The TSEM namespace enforces: appraisal failures deny. */
  readonly enforce: boolean;
}

/** IMA records as the stage's records: failures are alerts, measurements are not. */
function stageResult(deny: boolean, records: readonly ImaRecord[]): StageResult {
  return {
    deny,
    records: records.map((fields) => ({
      stage: 'ima',
      fields,
      alert: fields['status'] === 'fail',
    })),
  };
}

class DigestUnavailable extends Error {
  constructor(readonly algo: string) {
    super(`no ${algo} digest`);
  }
}

/** Node names the namespace digest; the kernel names one algorithm differently. */
const KERNEL_NAME: Readonly<Record<string, string>> = { ripemd160: 'rmd160' };

export class ImaStage implements PipelineStage {
  private readonly children = new Map<string, ImaNamespace>();
  /** `<dev>:<path>` → stand-in inode number for the IMA cache key. */
  private readonly inodes = new Map<string, number>();
  /** `<tsem ns>\0<dev>:<path>` → state. */
  private readonly files = new Map<string, FileState>();
  /** path → `security.ima` read for the contents with CELL digest `digest`. */
  private readonly xattrs = new Map<
    string,
    { readonly digest: string; readonly value: Buffer | undefined }
  >();
  /** Keys of `files` whose measured set changed since the last takeDirtyFiles(). */
  private readonly dirty = new Set<string>();

  constructor(
    readonly host: ImaNamespace,
    private readonly makeChild: (name: string, host: ImaNamespace) => ImaNamespace,
    private readonly readers: FileReaders
  ) {}

  /** The IMA namespace of a TSEM namespace, created (as a child of the host) on first use. */
  namespace(name: string): ImaNamespace {
    let ns = this.children.get(name);
    if (!ns) this.children.set(name, (ns = this.makeChild(name, this.host)));
    return ns;
  }

  /** Every level, host first (ns null), then each TSEM namespace's in creation order. */
  levels(): [string | null, ImaNamespace][] {
    return [[null, this.host], ...this.children];
  }

  /** The marks changed since the last call (for persistence). */
  takeDirtyFiles(): FileMark[] {
    const out: FileMark[] = [];
    for (const key of this.dirty) {
      const s = this.files.get(key);
      if (s) out.push({ key, digest: s.digest, measured: [...s.measured] });
    }
    this.dirty.clear();
    return out;
  }

  /** Marks keys to be returned again (their write failed). */
  markDirty(keys: readonly string[]): void {
    for (const k of keys) this.dirty.add(k);
  }

  /** Restores a persisted mark: the file with these contents is not measured again. */
  restoreFile(mark: FileMark): void {
    this.files.set(mark.key, {
      digest: mark.digest,
      measured: new Set(mark.measured),
      passReported: new Map(),
    });
  }

  afterVerdict(model: NamespaceModel, event: TsemEvent): StageResult | undefined {
    const access = fileAccessOf(event);
    if (!access) {
      const changed = imaXattrChange(event);
      if (changed !== undefined) this.xattrs.delete(changed);
      return undefined;
    }
    const levels = this.namespace(model.id)
      .lineage()
      .map((ns, depth) => ({ ns, depth, d: matchPolicy(ns.policy, access) }))
      .filter((l) => l.d.measure || l.d.appraise);
    if (levels.length === 0) return undefined;
    const enforce = model.mode === 'enforce';
    const key = `${model.id}\0${access.dev}:${access.path}`;
    const ctx: Access = {
      model,
      a: access,
      levels,
      key,
      state: this.state(key, access.digest.toString('hex')),
      enforce,
    };
    try {
      return this.handle(ctx);
    } catch (err) {
      // Not expected (the readers return undefined rather than throw): report, and deny only
      // where appraisal was due, as a kernel collect failure would.
      const appraised = levels.some((l) => l.d.appraise);
      const where = {
        namespace: model.id,
        origin: model.id,
        filename: access.path,
        func: access.func,
      };
      return stageResult(enforce && appraised, [
        collectFailedRecord(where, `internal error: ${errorMessage(err)}`, appraised, enforce),
      ]);
    }
  }

  private handle(ctx: Access): StageResult | undefined {
    const { model, a, levels, state } = ctx;
    const fileId = `${a.dev}:${a.path}`;
    const appraises = levels.some((l) => l.d.appraise);
    // Measured already at every level that measures, and nothing to appraise: the levels would
    // do nothing, so skip reading the xattr (a process spawn) for the most common event.
    if (!appraises && levels.every((l) => state.measured.has(`${l.depth}:${l.d.pcr}`)))
      return undefined;

    const child = this.namespace(model.id);
    // cache_result=no (ima.md §9.3): the xattr is read again for every access such a rule decides.
    const fresh = levels.some((l) => l.d.appraise && !l.d.cacheResult);
    const xattr = this.xattrOf(a.path, state.digest, fresh);
    const cellAlgo = KERNEL_NAME[model.alg.name] ?? model.alg.name;
    const digests = new Map<string, Buffer | undefined>();
    const digestOf = (algo: string): Buffer | undefined => {
      if (!digests.has(algo))
        digests.set(algo, algo === cellAlgo ? a.digest : this.readers.hashFile(a.path, algo));
      return digests.get(algo);
    };
    const algo = xattrHashAlgo(xattr, child.hashAlgo);
    if (!digestOf(algo)) return this.collectFailed(ctx, algo);

    const cookie = `${state.digest}:${xattr?.toString('hex') ?? ''}`;
    // `a`'s fields, then these, in order (no spread: slow in Node 20, docs/performance.md §2).
    const ev = Object.assign({}, a, {
      ino: this.inode(fileId),
      dev: a.dev,
      version: cookie,
    }) as unknown as Mutable<FileEvent>;
    if (xattr) ev.xattr = xattr;
    ev.digest = (al) => digestOf(al) ?? fail(al);
    let out: FileOutcome;
    try {
      out = child.handleFile(ev);
    } catch (err) {
      if (err instanceof DigestUnavailable) return this.collectFailed(ctx, err.algo);
      throw err;
    }
    for (const l of levels) if (l.d.measure) state.measured.add(`${l.depth}:${l.d.pcr}`);
    if (levels.some((l) => l.d.measure)) this.dirty.add(ctx.key);
    return this.result(ctx, out, cookie, `${algo}:${digestOf(algo)!.toString('hex')}`);
  }

  private result(
    ctx: Access,
    out: FileOutcome,
    cookie: string,
    hash: string
  ): StageResult | undefined {
    const { model, a, levels, state, enforce } = ctx;
    const where = (level: string) => ({
      namespace: level,
      origin: model.id,
      filename: a.path,
      func: a.func,
    });
    const records: ImaRecord[] = [];
    for (const name of out.measuredIn) {
      const pcr = levels.find((l) => l.ns.name === name)?.d.pcr ?? 10;
      records.push(measureRecord(where(name), pcr, hash));
    }
    let failed = false;
    for (const [name, r] of out.appraisals) {
      if (r.status !== 'INTEGRITY_PASS') {
        // Failures are reported on every access, as the kernel audits each failing access.
        failed = true;
        records.push(appraiseRecord(where(name), r, enforce));
      } else if (this.firstPass(state, name, a.func, cookie))
        records.push(appraiseRecord(where(name), r, enforce));
    }
    // Every level enforces inside ImaNamespace; whether that denies is the TSEM mode's call.
    if (!out.allowed && !failed) records.push(signedWriteRecord(where(model.id), enforce));
    const deny = enforce && !out.allowed;
    if (records.length === 0 && !deny) return undefined;
    return stageResult(deny, records);
  }

  /** No digest in the algorithm IMA needs: violation entries and failed appraisals. */
  private collectFailed(ctx: Access, algo: string): StageResult {
    const { model, a, levels, key, state, enforce } = ctx;
    const records: ImaRecord[] = [];
    for (const l of levels) {
      const mark = `${l.depth}:${l.d.pcr}`;
      const violation = l.d.measure && !state.measured.has(mark);
      if (violation) {
        l.ns.addViolation(a.path);
        state.measured.add(mark);
        this.dirty.add(key);
      }
      if (violation || l.d.appraise) {
        const detail = `no ${algo} digest of the file: not readable here, and the event's digest is another algorithm`;
        records.push(
          collectFailedRecord(
            { namespace: l.ns.name, origin: model.id, filename: a.path, func: a.func },
            detail,
            l.d.appraise,
            enforce
          )
        );
      }
    }
    return stageResult(enforce && levels.some((l) => l.d.appraise), records);
  }

  private state(key: string, digest: string): FileState {
    let s = this.files.get(key);
    if (!s || s.digest !== digest)
      this.files.set(key, (s = { digest, measured: new Set(), passReported: new Map() }));
    return s;
  }

  private xattrOf(path: string, digest: string, fresh = false): Buffer | undefined {
    const known = this.xattrs.get(path);
    if (known?.digest === digest && !fresh) return known.value;
    const value = this.readers.readXattr(path);
    this.xattrs.set(path, { digest, value });
    return value;
  }

  private firstPass(state: FileState, level: string, func: string, cookie: string): boolean {
    const k = `${level}:${func}`;
    if (state.passReported.get(k) === cookie) return false;
    state.passReported.set(k, cookie);
    return true;
  }

  private inode(fileId: string): number {
    let ino = this.inodes.get(fileId);
    if (ino === undefined) this.inodes.set(fileId, (ino = this.inodes.size + 1));
    return ino;
  }
}

/** The path whose security.ima an inode_setxattr/inode_removexattr event changes, if any. */
function imaXattrChange(event: TsemEvent): string | undefined {
  const c = event.cell;
  if (c.hook !== 'inode_setxattr' && c.hook !== 'inode_removexattr') return undefined;
  return c.value.name.toString('latin1') === 'security.ima'
    ? c.value.dentry.path.pathname.toString('utf8')
    : undefined;
}

function fail(algo: string): never {
  throw new DigestUnavailable(algo);
}
