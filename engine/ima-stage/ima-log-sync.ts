/**
 * Durable IMA logs: the persistence the stage needs (declared here, by its consumer; implemented by
 * engine/store/ima-log-store.ts) and the sync that restores every level at start and hands what
 * was appended since to the namespace's batch (take()), so the entries of an event are written in
 * the same atomic batch as the event's effects on the model: a crash never separates them.
 */
import { EngineError } from '../../common/errors.js';
import type { StageWrite, StoreOp } from '../ns/stage.js';
import type { ImaNamespace } from '../ima/ima-namespace.js';
import type { TemplateEntry } from '../ima/template-entry.js';
import type { FileMark, ImaStage } from './ima-stage.js';

export type { FileMark } from './ima-stage.js';

/** Entries appended to one level's log: `ns` is the TSEM namespace, null for the host level. */
export interface ImaLogAppend {
  readonly ns: string | null;
  /** Index of entries[0] in the level's log. */
  readonly start: number;
  readonly entries: readonly TemplateEntry[];
}

export interface ImaLogSnapshot {
  /** Every persisted level's entries in append order. */
  readonly logs: readonly {
    readonly ns: string | null;
    readonly entries: readonly TemplateEntry[];
  }[];
  readonly files: readonly FileMark[];
}

export interface ImaLogPersistence {
  load(): Promise<ImaLogSnapshot>;
  /** The records of these appends and file marks, for a namespace's atomic batch. */
  ops(appends: readonly ImaLogAppend[], files: readonly FileMark[]): StoreOp[];
}

export interface ImaRestored {
  readonly levels: number;
  readonly entries: number;
}

const storeError = (message: string, cause?: unknown) =>
  new EngineError('TSEM_STORE', message, cause === undefined ? undefined : { cause });

function sameEntry(a: TemplateEntry, b: TemplateEntry): boolean {
  return (
    a.pcr === b.pcr &&
    a.templateName === b.templateName &&
    a.violation === b.violation &&
    a.templateData.equals(b.templateData)
  );
}

export class ImaLogSync {
  /** Entries of each level handed to a batch (written, or being written). */
  private readonly taken = new Map<ImaNamespace, number>();
  /** Entries of each level known written. */
  private readonly durable = new Map<ImaNamespace, number>();

  constructor(
    private readonly stage: ImaStage,
    private readonly store: ImaLogPersistence
  ) {}

  /**
   * Rebuilds every level's log (entries, PCRs, violations, dedupe set) and the file marks;
   * `beforeApply` runs once loaded, before anything changes, and may throw to refuse.
   */
  async restore(beforeApply: () => void = () => undefined): Promise<ImaRestored> {
    const snap = await this.store.load();
    beforeApply();
    let count = 0;
    for (const { ns, entries } of snap.logs) {
      const level = ns === null ? this.stage.host : this.stage.namespace(ns);
      const where = ns === null ? 'the host IMA log' : `the IMA log of namespace ${ns}`;
      // The level's constructor may have logged entries (the host's boot_aggregate): the stored
      // log must start with the same bytes, or it belongs to another configuration.
      const made = level.log.entries;
      const prefix = Math.min(made.length, entries.length);
      for (let i = 0; i < prefix; i++) {
        if (!sameEntry(made[i]!, entries[i]!)) {
          throw storeError(
            `${where}: stored entry ${i} differs from the one this start logs (boot_aggregate or template changed); move the data directory aside to start a new log`
          );
        }
      }
      for (let i = made.length; i < entries.length; i++) {
        // add() re-extends the PCRs, counts violations and refills the dedupe set (ima.md §1.6).
        if (!level.log.add(entries[i]!))
          throw storeError(`${where}: stored entry ${i} repeats an earlier template digest`);
        count++;
      }
      this.taken.set(level, entries.length);
      this.durable.set(level, entries.length);
    }
    for (const f of snap.files) this.stage.restoreFile(f);
    return { levels: snap.logs.length, entries: count };
  }

  /**
   * Everything appended since the last take(), as records for the batch being built now; once
   * that batch is written, committed() counts it durable.
   */
  take(): StageWrite | undefined {
    const appends: (ImaLogAppend & { level: ImaNamespace })[] = [];
    for (const [ns, level] of this.stage.levels()) {
      const start = this.taken.get(level) ?? 0;
      const all = level.log.entries;
      if (all.length > start) appends.push({ ns, level, start, entries: all.slice(start) });
    }
    const files = this.stage.takeDirtyFiles();
    if (appends.length === 0 && files.length === 0) return undefined;
    for (const a of appends) this.taken.set(a.level, a.start + a.entries.length);
    return {
      ops: this.store.ops(
        appends.map(({ ns, start, entries }) => ({ ns, start, entries })),
        files
      ),
      committed: () => {
        for (const a of appends) this.durable.set(a.level, a.start + a.entries.length);
      },
    };
  }

  /** Entries of `level` written to the store. */
  durableCount(level: ImaNamespace): number {
    return this.durable.get(level) ?? 0;
  }
}
