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

export class AuditAssembler {
  private readonly open = new Map<number, { firstSeenMs: number; records: AuditRecord[] }>();
  /** Groups flushed without their EOE. */
  incomplete = 0;

  constructor(
    private readonly onGroup: (g: AuditEventGroup) => void,
    private readonly maxAgeMs: number = DEFAULT_GROUP_MAX_AGE_MS
  ) {}

  add(rec: AuditRecord, nowMs: number): void {
    let g = this.open.get(rec.serial);
    if (rec.type === 'EOE') {
      if (g) this.emit(rec.serial, g.records);
      return;
    }
    if (!g) {
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
