/**
 * Writes batches one at a time, in the order they were submitted, merging everything submitted
 * while a write is in flight into the next write (group commit): with fsync on, many batches
 * share one fsync. Order matters beyond speed: logs that several namespaces append to (the host
 * IMA log) must be written in the order their entries were made.
 *
 * A failed write fails its group and everything queued after it, and the queue stays failed
 * until reset() after the database was reopened. LevelDB itself goes on after a failed log write
 * (only a failed sync stops it), and a write after a torn log record is acknowledged, then lost
 * when the log is read again: so the database's other writers go through this queue too (run()),
 * and any failure stops every writer.
 */

interface Pending<Op> {
  readonly ops: readonly Op[];
  /** A write of its own instead of ops (run()): alone, in its turn. */
  readonly job?: () => Promise<void>;
  readonly committed?: () => void;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommit<Op> {
  private pending: Pending<Op>[] = [];
  private writing: Promise<void> | undefined;
  private failed: Error | undefined;
  /** The last submission, settled either way: what settled() waits for. */
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (ops: Op[]) => Promise<void>,
    /** Told when the queue fails (a write or a job did). */
    private readonly failedWith: (err: Error) => void = () => undefined
  ) {}

  /** Why writes fail now, until reset(). */
  get failure(): Error | undefined {
    return this.failed;
  }

  /**
   * Queues `ops` to be written atomically (with whatever else shares the write); resolves once
   * written. `committed` runs right after the write, before any later write's, in order.
   */
  submit(ops: readonly Op[], committed?: () => void): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const done = new Promise<void>((resolve, reject) => {
      this.pending.push({ ops, committed, resolve, reject });
      this.writing ??= this.drain();
    });
    this.last = done.catch(() => undefined);
    return done;
  }

  /**
   * Runs a write of another kind (`job`) in the queue's order, alone: no other write is issued
   * while it runs, and its failure fails the queue as a batch's does.
   */
  run(job: () => Promise<void>): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const done = new Promise<void>((resolve, reject) => {
      this.pending.push({ ops: [], job, resolve, reject });
      this.writing ??= this.drain();
    });
    this.last = done.catch(() => undefined);
    return done;
  }

  /**
   * Resolves once everything submitted so far is written or failed; unlike idle(), later
   * submissions are not waited for, so a reader under constant load is never starved.
   */
  settled(): Promise<void> {
    return this.last;
  }

  /** Resolves once nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Writes may go on again (the database was reopened). */
  reset(): void {
    this.failed = undefined;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        // A job runs alone; batches up to the next job share one write.
        const job = this.pending[0]!.job;
        const end = job ? 1 : this.pending.findIndex((p) => p.job !== undefined);
        const group = this.pending.splice(0, end < 0 ? this.pending.length : end);
        try {
          await (job ? job() : this.write(group.flatMap((p) => p.ops)));
        } catch (err) {
          const failed = (this.failed = err instanceof Error ? err : new Error(String(err)));
          for (const p of [...group, ...this.pending.splice(0)]) p.reject(failed);
          this.failedWith(failed);
          return;
        }
        for (const p of group) {
          p.committed?.();
          p.resolve();
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}
