/**
 * Reassembles audit records into events by serial: the kernel writes SYSCALL, then its
 * auxiliary records (EXECVE, CWD, PATH, SOCKADDR, OBJ_PID, PROCTITLE, ...) and ends the event
 * with EOE. Records of several events may interleave, so groups are kept per serial; a group whose
 * EOE never comes (lost record) is flushed once older than `maxAgeMs`, and counted.
 */
import type { AuditRecord } from './audit-record.js';

export interface AuditEventGroup {
  readonly serial: number;
  readonly timeMs: number;
  readonly records: readonly AuditRecord[];
}

export const DEFAULT_GROUP_MAX_AGE_MS = 2000;
/** Open groups at most: beyond it the oldest is flushed early (counted), so a flood cannot grow it. */
export const DEFAULT_MAX_OPEN_GROUPS = 16_384;

export class AuditAssembler {
  private readonly open = new Map<number, { firstSeenMs: number; records: AuditRecord[] }>();
  /** Groups flushed without their EOE. */
  incomplete = 0;
  /** Groups flushed early because `maxOpen` were open (their later records start a new group). */
  evicted = 0;

  constructor(
    private readonly onGroup: (g: AuditEventGroup) => void,
    private readonly maxAgeMs: number = DEFAULT_GROUP_MAX_AGE_MS,
    private readonly maxOpen: number = DEFAULT_MAX_OPEN_GROUPS
  ) {}

  add(rec: AuditRecord, nowMs: number): void {
    let g = this.open.get(rec.serial);
    if (rec.type === 'EOE') {
      if (g) this.emit(rec.serial, g.records);
      return;
    }
    if (!g) {
      if (this.open.size >= this.maxOpen) {
        const [oldest, og] = this.open.entries().next().value!;
        this.evicted++;
        this.flushOne(oldest, og.records);
      }
      g = { firstSeenMs: nowMs, records: [] };
      this.open.set(rec.serial, g);
    }
    g.records.push(rec);
  }

  /** Flushes groups older than maxAgeMs (those that will get no EOE). */
  flushStale(nowMs: number): void {
    for (const [serial, g] of this.open) {
      if (nowMs - g.firstSeenMs >= this.maxAgeMs) this.flushOne(serial, g.records);
    }
  }

  /** Forgets every open group (a live source that stops loses what it holds). */
  discardAll(): void {
    this.open.clear();
  }

  /** End of input: every open group is emitted. */
  flushAll(): void {
    for (const [serial, g] of this.open) this.flushOne(serial, g.records);
  }

  private flushOne(serial: number, records: AuditRecord[]): void {
    // Single-record events (no SYSCALL, e.g. USER_* or CONFIG_CHANGE) never get an EOE.
    if (records.some((r) => r.type === 'SYSCALL')) this.incomplete++;
    this.emit(serial, records);
  }

  private emit(serial: number, records: AuditRecord[]): void {
    this.open.delete(serial);
    this.onGroup({ serial, timeMs: records[0]?.timeMs ?? 0, records });
  }
}
