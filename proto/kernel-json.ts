/**
 * The kernel's JSON form of a TSEM event (tsem-model.md §1.2–1.4, §3.4): the interchange format
 * every source (kernel trajectory, simulator, fanotify, audit) produces and the engine parses.
 * Every leaf value is a string, as the kernel emits it; numbers follow strtol(..., 0).
 */

/** A JSON object whose leaves are strings (CELL sub-structures nest). */
export interface JsonCell {
  readonly [key: string]: string | JsonCell;
}

/** §1.2 event header. `task_id`/`p_task_id` may be omitted by non-kernel sources: the engine's
 * task table then derives them from `pid` (fork copies ids, exec derives a new TASK_ID, §1.6). */
export interface EventHeaderJson {
  readonly pid?: string;
  readonly tnum?: string;
  readonly context?: string;
  readonly number?: string;
  readonly process: string;
  readonly type: string;
  readonly ttd?: string;
  readonly p_ttd?: string;
  readonly task_id?: string;
  readonly p_task_id?: string;
  readonly ts?: string;
  /** Non-kernel sources only: the parent pid, so the engine can follow fork (task_alloc). */
  readonly ppid?: string;
  /** Non-kernel sources that know it: the process's start time (clock ticks since boot, field 22
   * of /proc/PID/stat), so a reused pid is a new task. */
  readonly start?: string;
  /** A Landlock denial read from audit (docs/landlock.md §5): the access rights the kernel denied,
   * as its record names them (`fs.read_file`, `net.connect_tcp`, …). The event did not happen. */
  readonly landlock?: string;
}

/** §1.3 COE: uid/gid values in decimal, capeff as `0x` hex. */
export interface CoeJson {
  readonly uid: string;
  readonly euid: string;
  readonly suid: string;
  readonly gid: string;
  readonly egid: string;
  readonly sgid: string;
  readonly fsuid: string;
  readonly fsgid: string;
  readonly capeff: string;
}

/** A trajectory/forensics line or the body of an `event`/`async_event` export record:
 * `{"event": {...}, "COE": {...}, "<hook name>": {...CELL}}`. */
export interface TsemEventJson {
  readonly event: EventHeaderJson;
  readonly COE: CoeJson;
  readonly [hook: string]: JsonCell | EventHeaderJson | CoeJson;
}
