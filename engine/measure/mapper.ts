/**
 * Maps an event to its security state coefficient (tsem-model.md §2.2–2.5, §2.10).
 * Pure: the digest algorithm, dialect and pseudonym set are passed in.
 */
import type { Cell } from '../event/hooks.js';
import { isShared } from '../event/shared-values.js';
import type { File, Coe } from '../event/structures.js';
import type { DigestAlgorithm } from './digest.js';
import { ByteWriter } from './byte-writer.js';
import { type CellEnv, writeFile } from './cell-parts.js';
import { KERNEL_CELL_WRITERS } from './cell-kernel.js';
import { writeQuixoteCell } from './cell-quixote.js';

/** Coefficients are not comparable across dialects (§8 item 10). */
export const DIALECTS = ['tsem-6.12', 'quixote-us'] as const;
export type Dialect = (typeof DIALECTS)[number];
export function isDialect(s: string): s is Dialect {
  return (DIALECTS as readonly string[]).includes(s);
}

export interface MapperOptions {
  readonly dialect?: Dialect;
  /** §2.5: TSEM-6.12 hashes a zeroed COE into TASK_ID; `actual` uses the exec'ing task's COE. */
  readonly taskIdCoe?: 'zero' | 'actual';
  /** §2.8: declared pseudonyms (hex of HF(u32le(len) || pathname)). */
  readonly pseudonyms?: ReadonlySet<string>;
}

const COE_CACHE_MAX = 4096;
const RECENT_COES = 8;
const BPRM_NAME = Buffer.from('bprm_committed_creds');
const ZERO_COE: Coe = {
  uid: 0,
  euid: 0,
  suid: 0,
  gid: 0,
  egid: 0,
  sgid: 0,
  fsuid: 0,
  fsgid: 0,
  capeff: 0n,
};

export class Mapper {
  readonly dialect: Dialect;
  private readonly w = new ByteWriter(512);
  private readonly env: CellEnv;
  private readonly nameCache = new Map<string, Buffer>();
  /** COEs repeat across a workload's events: their ids are cached (bounded). */
  private readonly coeCache = new Map<string, string>();
  /** Typed COE and CELL objects shared by the parse cache map once each. */
  private readonly coeByObject = new WeakMap<Coe, string>();
  private readonly cellByObject = new WeakMap<Cell, string>();
  private readonly recentCoes: (Coe & { readonly id: string })[] = [];
  private recentNext = 0;

  constructor(
    readonly alg: DigestAlgorithm,
    private readonly opts: MapperOptions = {}
  ) {
    this.dialect = opts.dialect ?? 'tsem-6.12';
    const pseudonyms = opts.pseudonyms;
    this.env = {
      ds: alg.size,
      zeroDigest: alg.zeroDigest,
      isPseudonym:
        pseudonyms && pseudonyms.size > 0
          ? (p) => pseudonyms.has(pseudonym(alg, p).toString('hex'))
          : undefined,
    };
  }

  private name(s: string): Buffer {
    let b = this.nameCache.get(s);
    if (!b) this.nameCache.set(s, (b = Buffer.from(s, 'latin1')));
    return b;
  }

  /**
   * §2.2: COE_ID = HF(u32 uid..fsgid || u64 capeff), 40 bytes.
   * §2.10: the userspace TMA hashes fsuid twice and never fsgid (a bug we reproduce).
   */
  coeId(c: Coe): Buffer {
    return Buffer.from(this.coeRaw(c), 'latin1');
  }

  /** COE_ID as a latin1 string; COEs repeat across a workload's events, so ids are cached. */
  private coeRaw(c: Coe): string {
    // A few recent COEs compared field by field first: a workload runs under few credentials,
    // and this skips both a WeakMap lookup and the preimage (measured, see model-bench).
    const recent = this.recentCoes;
    for (let i = 0; i < recent.length; i++) {
      const r = recent[i]!;
      if (
        r.uid === c.uid &&
        r.euid === c.euid &&
        r.suid === c.suid &&
        r.gid === c.gid &&
        r.egid === c.egid &&
        r.sgid === c.sgid &&
        r.fsuid === c.fsuid &&
        r.fsgid === c.fsgid &&
        r.capeff === c.capeff
      )
        return r.id;
    }
    let id = this.coeByObject.get(c);
    if (id === undefined) {
      id = this.coeRawByValue(c);
      if (isShared(c)) this.coeByObject.set(c, id);
    }
    const entry = Object.assign({}, c, { id });
    if (recent.length < RECENT_COES) recent.push(entry);
    else recent[this.recentNext++ % RECENT_COES] = entry;
    return id;
  }

  private coeRawByValue(c: Coe): string {
    // The preimage is the key: writing it costs less than formatting the values (a BigInt).
    const w = this.w.reset();
    w.u32(c.uid).u32(c.euid).u32(c.suid).u32(c.gid).u32(c.egid).u32(c.sgid).u32(c.fsuid);
    w.u32(this.dialect === 'quixote-us' ? c.fsuid : c.fsgid).u64(c.capeff);
    const key = w.view().toString('latin1');
    let id = this.coeCache.get(key);
    if (id === undefined) {
      id = this.alg.hashLatin1(w.view());
      if (this.coeCache.size >= COE_CACHE_MAX) this.coeCache.clear();
      this.coeCache.set(key, id);
    }
    return id;
  }

  /** CELL_ID = HF(CELL preimage); generic hooks: HF(name || HF("")) (§2.3 last row, §2.10). */
  cellId(cell: Cell): Buffer {
    return Buffer.from(this.cellRaw(cell), 'latin1');
  }

  private cellRaw(cell: Cell): string {
    let id = this.cellByObject.get(cell);
    if (id !== undefined) return id;
    id = this.computeCellRaw(cell);
    if (isShared(cell)) this.cellByObject.set(cell, id);
    return id;
  }

  private computeCellRaw(cell: Cell): string {
    const w = this.w.reset();
    if (cell.hook === 'generic') return this.generic(w, cell.name);
    if (this.dialect === 'quixote-us') {
      if (!writeQuixoteCell(w, cell, this.env)) return this.generic(w.reset(), cell.hook);
    } else {
      (KERNEL_CELL_WRITERS[cell.hook] as (w: ByteWriter, c: unknown, e: CellEnv) => void)(
        w,
        cell.value,
        this.env
      );
    }
    return this.alg.hashLatin1(w.view());
  }

  private generic(w: ByteWriter, name: string): string {
    return this.alg.hashLatin1(w.bytes(this.name(name)).bytes(this.alg.zeroDigest).view());
  }

  /**
   * §2.4 (VERIFIED): Coeff = HF(ascii(name) || PTASK_ID || TASK_ID || COE_ID || CELL_ID).
   * §2.10: the userspace TMA omits PTASK_ID.
   */
  coefficient(type: string, pTaskId: Buffer, taskId: Buffer, coe: Coe, cell: Cell): Buffer {
    return Buffer.from(this.coefficientHex(type, pTaskId, taskId, coe, cell), 'hex');
  }

  /** The coefficient as lowercase hex. */
  coefficientHex(type: string, pTaskId: Buffer, taskId: Buffer, coe: Coe, cell: Cell): string {
    return Buffer.from(this.coefficientKey(type, pTaskId, taskId, coe, cell), 'latin1').toString(
      'hex'
    );
  }

  /**
   * The coefficient as a latin1 string (one char per byte): the contour map's key. The hot path's
   * form: the hash's cheapest output, with no Buffer and no hex made.
   */
  coefficientKey(type: string, pTaskId: Buffer, taskId: Buffer, coe: Coe, cell: Cell): string {
    const coeId = this.coeRaw(coe);
    const cellId = this.cellRaw(cell);
    const w = this.w.reset().bytes(this.name(type));
    if (this.dialect !== 'quixote-us') w.bytes(pTaskId);
    return this.alg.hashLatin1(w.bytes(taskId).latin1(coeId).latin1(cellId).view());
  }

  /**
   * §2.5 (VERIFIED): TASK_ID = HF("bprm_committed_creds" || PTASK_ID || NULL_ID || COE_ID' ||
   * CELL_ID(file(bprm->file))), COE_ID' of a zeroed COE on TSEM-6.12.
   */
  taskId(pTaskId: Buffer, coe: Coe, exe: File): Buffer {
    const coeId = this.coeRaw(this.opts.taskIdCoe === 'actual' ? coe : ZERO_COE);
    const w = this.w.reset();
    writeFile(w, exe, this.env);
    const cellId = this.alg.hashLatin1(w.view());
    w.reset()
      .bytes(BPRM_NAME)
      .bytes(pTaskId)
      .bytes(this.alg.nullDigest)
      .latin1(coeId)
      .latin1(cellId);
    return this.alg.hash(w.view());
  }
}

/** §2.8 (VERIFIED formula): PSEUDONYM = HF(u32le(strlen(pathname)) || pathname). */
export function pseudonym(alg: DigestAlgorithm, pathname: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(pathname.length);
  return alg.hash(len, pathname);
}
