/**
 * Per-namespace task table: TASK_ID, parent TASK_ID and trust status (tsem-model.md §1.6, §3.5).
 * Untrusted is sticky and inherited by children ("fruit of the poisoned vine"). Pure and bounded.
 */

export type Trust = 'trusted' | 'untrusted';

/** What made a task untrusted: its own off-contour event, or its parent's (inherited). */
export interface UntrustCause {
  /** The namespace sequence number of the event. */
  readonly seq: number;
  readonly type: string;
  /** Hex coefficient of the off-contour point. */
  readonly coefficient?: string;
  /** The parent task key the untrust came from, when inherited. */
  readonly from?: string;
}

export interface Task {
  taskId: Buffer;
  pTaskId: Buffer;
  trust: Trust;
  /** Set while untrusted. */
  cause?: UntrustCause;
  /** The process's start time when its source reports one: another start time is another task. */
  start?: bigint;
  /** Position in the eviction order (set by the table; persisted so a restart keeps the order). */
  order?: number;
}

/** Tasks kept at most; beyond it the oldest trusted tasks are forgotten first. */
export const MAX_TASKS = 65_536;

export class TaskTable {
  private readonly tasks = new Map<string, Task>();
  /** Keys whose entry changed since the last drain (for persistence). */
  private readonly dirty = new Set<string>();
  /** The last order number given: Map order is recency, and `order` records it. */
  private lastOrder = 0;
  /** Counts changes to who a task is or whether it is trusted (exec, untrust, release, eviction):
   * a verdict remembered for a task (a source's verdict cache) may no longer hold after one. */
  identityChanges = 0;

  constructor(private readonly nullId: Buffer) {}

  get size(): number {
    return this.tasks.size;
  }

  get(key: string): Task | undefined {
    return this.tasks.get(key);
  }

  /** A task seen for the first time started before modeling: it has the null TASK_ID, like init. */
  getOrCreate(key: string): Task {
    let t = this.tasks.get(key);
    if (!t) t = this.set(key, { taskId: this.nullId, pTaskId: this.nullId, trust: 'trusted' });
    return t;
  }

  set(key: string, task: Task): Task {
    this.tasks.delete(key); // re-insert: Map order doubles as recency for eviction
    task.order = ++this.lastOrder;
    this.tasks.set(key, task);
    this.dirty.add(key);
    if (this.tasks.size > MAX_TASKS) this.evict();
    return task;
  }

  /** §1.6 fork: the child copies the parent's TASK_ID into task_id and p_task_id, and its trust. */
  fork(parentKey: string, childKey: string, start?: bigint): Task {
    const p = this.getOrCreate(parentKey);
    const child: Task = { taskId: p.taskId, pTaskId: p.taskId, trust: p.trust };
    if (p.cause) child.cause = Object.assign({}, p.cause, { from: parentKey });
    if (start !== undefined) child.start = start;
    return this.set(childKey, child);
  }

  /** A pid seen with another start time than its entry's is a new process: a fresh task. */
  renew(key: string): Task {
    return this.set(key, { taskId: this.nullId, pTaskId: this.nullId, trust: 'trusted' });
  }

  /** §1.6 exec: a new TASK_ID; p_task_id is not changed by exec. */
  exec(key: string, taskId: Buffer): Task {
    this.identityChanges++;
    const t = this.getOrCreate(key);
    return this.set(key, Object.assign({}, t, { taskId }));
  }

  markUntrusted(key: string, task: Task, cause?: UntrustCause): void {
    if (task.trust === 'untrusted') return;
    this.identityChanges++;
    task.trust = 'untrusted';
    if (cause) task.cause = cause;
    this.dirty.add(key);
  }

  /**
   * Makes the task trusted again, with every task whose untrust it passed on (transitively);
   * returns the keys released. Unknown or trusted: nothing.
   */
  release(key: string): string[] {
    const t = this.tasks.get(key);
    if (!t || t.trust !== 'untrusted') return [];
    this.identityChanges++;
    const released = [key];
    for (let i = 0; i < released.length; i++) {
      const parent = released[i]!;
      for (const [k, c] of this.tasks)
        if (c.trust === 'untrusted' && c.cause?.from === parent && !released.includes(k))
          released.push(k);
    }
    for (const k of released) {
      const task = this.tasks.get(k)!;
      task.trust = 'trusted';
      delete task.cause;
      this.dirty.add(k);
    }
    return released;
  }

  untrustedCount(): number {
    let n = 0;
    for (const t of this.tasks.values()) if (t.trust === 'untrusted') n++;
    return n;
  }

  entries(): IterableIterator<[string, Task]> {
    return this.tasks.entries();
  }

  /**
   * Restores persisted tasks in their eviction order (by `order`, which they keep), so that the
   * table evicts exactly what it would have without the restart.
   */
  load(entries: readonly [string, Task][]): void {
    const sorted = [...entries].sort((a, b) => (a[1].order ?? 0) - (b[1].order ?? 0));
    for (const [k, t] of sorted) {
      this.tasks.delete(k);
      this.tasks.set(k, t);
      this.lastOrder = Math.max(this.lastOrder, t.order ?? 0);
    }
  }

  /**
   * Applies another copy's drained changes (engine/shard), keeping its eviction order: a task
   * with a new order moves to the end, in order; one changed in place stays where it is.
   * `record` marks them changed here too (the store's copy); `identityChanges` is the copy's.
   */
  applyChanges(
    changes: readonly (readonly [string, Task | undefined])[],
    identityChanges: number,
    record: boolean
  ): void {
    const moved: [string, Task][] = [];
    for (const [key, task] of changes) {
      if (record) this.dirty.add(key);
      const here = this.tasks.get(key);
      if (!task) this.tasks.delete(key);
      else if (here && here.order === task.order) this.tasks.set(key, Object.assign({}, task));
      else moved.push([key, Object.assign({}, task)]);
    }
    moved.sort((a, b) => (a[1].order ?? 0) - (b[1].order ?? 0));
    for (const [key, task] of moved) {
      this.tasks.delete(key);
      this.tasks.set(key, task);
      this.lastOrder = Math.max(this.lastOrder, task.order ?? 0);
    }
    this.identityChanges = identityChanges;
  }

  drainDirty(): [string, Task | undefined][] {
    const out = [...this.dirty].map((k): [string, Task | undefined] => [k, this.tasks.get(k)]);
    this.dirty.clear();
    return out;
  }

  private evict(): void {
    this.identityChanges++;
    for (const [k, t] of this.tasks) {
      if (t.trust === 'trusted') {
        this.tasks.delete(k);
        this.dirty.add(k);
        return;
      }
    }
    const first = this.tasks.keys().next().value as string;
    this.tasks.delete(first);
    this.dirty.add(first);
  }
}
