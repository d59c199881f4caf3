/**
 * Maps an event to its security state coefficient (tsem-model.md §2.2–2.5, §2.10).
 * Pure: the digest algorithm, dialect and pseudonym set are passed in.
 */
import type { Cell } from '../event/hooks.js';
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

const BPRM_NAME = Buffer.from('bprm_committed_creds');
const ZERO_COE: Coe = { uid: 0, euid: 0, suid: 0, gid: 0, egid: 0, sgid: 0, fsuid: 0, fsgid: 0, capeff: 0n };

export class Mapper {
  readonly dialect: Dialect;
  private readonly w = new ByteWriter(512);
  private readonly env: CellEnv;
  private readonly nameCache = new Map<string, Buffer>();

  constructor(
    readonly alg: DigestAlgorithm,
    private readonly opts: MapperOptions = {}
  ) {
    this.dialect = opts.dialect ?? 'tsem-6.12';
    const pseudonyms = opts.pseudonyms;
    this.env = {
      ds: alg.size,
      zeroDigest: alg.zeroDigest,
      isPseudonym: pseudonyms && pseudonyms.size > 0 ? (p) => pseudonyms.has(pseudonym(alg, p).toString('hex')) : undefined,
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
    const w = this.w.reset();
    w.u32(c.uid).u32(c.euid).u32(c.suid).u32(c.gid).u32(c.egid).u32(c.sgid).u32(c.fsuid);
    w.u32(this.dialect === 'quixote-us' ? c.fsuid : c.fsgid).u64(c.capeff);
    return this.alg.hash(w.view());
  }

  /** CELL_ID = HF(CELL preimage); generic hooks: HF(name || HF("")) (§2.3 last row, §2.10). */
  cellId(cell: Cell): Buffer {
    const w = this.w.reset();
    if (cell.hook === 'generic') return this.generic(cell.name);
    if (this.dialect === 'quixote-us') {
      if (!writeQuixoteCell(w, cell, this.env)) return this.generic(cell.hook);
    } else {
      (KERNEL_CELL_WRITERS[cell.hook] as (w: ByteWriter, c: unknown, e: CellEnv) => void)(w, cell.value, this.env);
    }
    return this.alg.hash(w.view());
  }

  private generic(name: string): Buffer {
    return this.alg.hash(this.name(name), this.alg.zeroDigest);
  }

  /**
   * §2.4 (VERIFIED): Coeff = HF(ascii(name) || PTASK_ID || TASK_ID || COE_ID || CELL_ID).
   * §2.10: the userspace TMA omits PTASK_ID.
   */
  coefficient(type: string, pTaskId: Buffer, taskId: Buffer, coe: Coe, cell: Cell): Buffer {
    const coeId = this.coeId(coe);
    const cellId = this.cellId(cell);
    if (this.dialect === 'quixote-us') return this.alg.hash(this.name(type), taskId, coeId, cellId);
    return this.alg.hash(this.name(type), pTaskId, taskId, coeId, cellId);
  }

  /**
   * §2.5 (VERIFIED): TASK_ID = HF("bprm_committed_creds" || PTASK_ID || NULL_ID || COE_ID' ||
   * CELL_ID(file(bprm->file))), COE_ID' of a zeroed COE on TSEM-6.12.
   */
  taskId(pTaskId: Buffer, coe: Coe, exe: File): Buffer {
    const coeId = this.coeId(this.opts.taskIdCoe === 'actual' ? coe : ZERO_COE);
    const w = this.w.reset();
    writeFile(w, exe, this.env);
    const cellId = this.alg.hash(w.view());
    return this.alg.hash(BPRM_NAME, pTaskId, this.alg.nullDigest, coeId, cellId);
  }
}

/** §2.8 (VERIFIED formula): PSEUDONYM = HF(u32le(strlen(pathname)) || pathname). */
export function pseudonym(alg: DigestAlgorithm, pathname: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(pathname.length);
  return alg.hash(len, pathname);
}
