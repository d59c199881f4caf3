/**
 * The simulated machine a scenario runs on: a seeded monotonic clock, a pid allocator, the inodes
 * created inside the namespace, and the buffer of events emitted so far with their attack roles.
 * Events follow the non-kernel source convention (proto/kernel-json.ts): `pid`/`ppid`, no task ids.
 */
import type { CoeJson, JsonCell, TsemEventJson } from '../../proto/kernel-json.js';
import { type CreatedInode, FileSystem } from './filesystem.js';
import type { Prng } from './prng.js';
import type { SimDigest } from './sim-digest.js';
import { SimProcess } from './sim-process.js';

/**
 * How an injected event relates to the benign contour: `malicious` events are points a model
 * trained on the benign workload has never seen; `carrier` events are the benign-looking steps an
 * attack takes to get there (a shell forking, an exec), which a TSEM model accepts.
 */
export type AttackRole = 'malicious' | 'carrier';

export interface Emitted {
  readonly event: TsemEventJson;
  readonly role?: AttackRole;
}

/** Linux PID_MAX_LIMIT on 64-bit; allocation wraps to 300 like the kernel's. */
const PID_MAX = 4_194_304;
const PID_WRAP_TO = 300;
/** Time between two events of one burst, ns. */
const EVENT_GAP_NS: readonly [number, number] = [1_500, 90_000];

export class World {
  readonly fs: FileSystem;
  /** Inodes created inside the namespace, by pathname: their paths carry owner and instance. */
  readonly created = new Map<string, CreatedInode>();
  private clockNs: bigint;
  private nextPid: number;
  private out: Emitted[] = [];
  private role: AttackRole | undefined;
  private seq = 0;

  constructor(
    readonly rng: Prng,
    readonly digest: SimDigest,
    /** Namespace id for the `context` header field; absent: the field is left out. */
    private readonly context?: string
  ) {
    this.fs = new FileSystem(digest, this.created);
    // Boot-relative monotonic ns: the workload starts a few seconds after boot.
    this.clockNs = BigInt(rng.int(2_000_000_000, 30_000_000_000));
    this.nextPid = rng.int(1_200, 30_000);
  }

  /** A task that began before modeling: the engine gives it the null TASK_ID (task-table.ts). */
  root(pid: number, comm: string, coe: CoeJson): SimProcess {
    return new SimProcess(this, {
      pid,
      comm,
      coe,
      taskId: this.digest.nullHex,
      pTaskId: this.digest.nullHex,
    });
  }

  allocPid(): number {
    const pid = this.nextPid;
    // Other tasks on the machine take pids too: skip a few.
    this.nextPid += this.rng.int(1, 4);
    if (this.nextPid >= PID_MAX) this.nextPid = PID_WRAP_TO;
    return pid;
  }

  /** Lets time pass between bursts (a request, a cron run). */
  idle(minMs: number, maxMs: number): void {
    this.clockNs += BigInt(this.rng.int(minMs, maxMs)) * 1_000_000n;
  }

  /** Appends one event; `ppid` is sent so the engine can follow forks it did not see. */
  emit(
    h: { pid: number; ppid?: number; comm: string; coe: CoeJson },
    type: string,
    cell?: JsonCell
  ): void {
    this.clockNs += BigInt(this.rng.int(EVENT_GAP_NS[0], EVENT_GAP_NS[1]));
    this.seq++;
    const header = {
      pid: `${h.pid}`,
      ...(h.ppid !== undefined ? { ppid: `${h.ppid}` } : {}),
      ...(this.context !== undefined ? { context: this.context, number: `${this.seq}` } : {}),
      process: h.comm,
      type,
      ts: `${this.clockNs}`,
    };
    const event = (
      cell ? { event: header, COE: h.coe, [type]: cell } : { event: header, COE: h.coe }
    ) as TsemEventJson;
    this.out.push(this.role ? { event, role: this.role } : { event });
  }

  /** Runs `fn` with every event it emits marked as injected with `role`. */
  inject(role: AttackRole, fn: () => void): void {
    const outer = this.role;
    this.role = role;
    try {
      fn();
    } finally {
      this.role = outer;
    }
  }

  /** Takes the events emitted since the last drain. */
  drain(): Emitted[] {
    const batch = this.out;
    this.out = [];
    return batch;
  }
}
