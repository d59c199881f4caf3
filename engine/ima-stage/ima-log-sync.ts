/**
 * Durable IMA logs: the persistence the stage needs (declared here, by its consumer; implemented by
 * engine/store/ima-log-store.ts) and the sync that restores every level at start and writes what
 * was appended since, from the stage's afterPersist, so every entry of an acknowledged event is
 * durable. Writes run one at a time, in order: a flush returns once everything appended before
 * it is written, whichever flush's batch carried it.
 */
import { EngineError, errorMessage } from '../../common/errors.js';
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
  /** Writes the appends and file marks in one atomic batch. */
  save(appends: readonly ImaLogAppend[], files: readonly FileMark[]): Promise<void>;
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
  /** Entries of each level already written. */
  private readonly written = new Map<ImaNamespace, number>();
  private chain: Promise<void> = Promise.resolve();

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
      this.written.set(level, entries.length);
    }
    for (const f of snap.files) this.stage.restoreFile(f);
    return { levels: snap.logs.length, entries: count };
  }

  /** Writes everything appended so far; resolves once it (and every earlier flush) is durable. */
  flush(): Promise<void> {
    const run = this.chain.catch(() => undefined).then(() => this.writePending());
    this.chain = run;
    return run;
  }

  private async writePending(): Promise<void> {
    const appends: (ImaLogAppend & { level: ImaNamespace })[] = [];
    for (const [ns, level] of this.stage.levels()) {
      const start = this.written.get(level) ?? 0;
      const all = level.log.entries;
      if (all.length > start) appends.push({ ns, level, start, entries: all.slice(start) });
    }
    const files = this.stage.takeDirtyFiles();
    if (appends.length === 0 && files.length === 0) return;
    try {
      await this.store.save(
        appends.map(({ ns, start, entries }) => ({ ns, start, entries })),
        files
      );
    } catch (err) {
      // Unwritten stays pending: the next flush writes it again (puts are keyed by index).
      this.stage.markDirty(files.map((f) => f.key));
      const n = appends.reduce((s, a) => s + a.entries.length, 0);
      throw storeError(
        `IMA logs: persisting ${n} entries and ${files.length} file marks failed: ${errorMessage(err)}`,
        err
      );
    }
    for (const a of appends) this.written.set(a.level, a.start + a.entries.length);
  }
}
