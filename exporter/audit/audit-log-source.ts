/**
 * Offline audit source: reads auditd's text log, reassembles records by serial and maps them as
 * the live source does. Host facts apply only to files whose device and inode exist here
 * (audit-host.ts); capabilities are not in the log, so capeff is 0x0.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { EngineError } from '../../common/errors.js';
import { EventQueue } from '../event-queue.js';
import { createNamespaceMapper, type NamespaceMapper } from '../nsmap/namespace-rule.js';
import type { DropCounts, EventSource, SourcedEvent, SourceStats } from '../source.js';
import { AuditAssembler, type AuditEventGroup } from './audit-assembler.js';
import { HostFacts } from './audit-host.js';
import { mapAuditGroup } from './audit-mapper.js';
import type { AuditLogOptions } from './audit-options.js';
import { parseLogLine } from './audit-record.js';

export class AuditLogSource implements EventSource {
  private readonly queue: EventQueue;
  private readonly nsOf: NamespaceMapper;
  private readonly host: HostFacts;
  private readonly counts = {
    lines: 0,
    parseErrors: 0,
    groups: 0,
    events: 0,
    skipped: 0,
    incomplete: 0,
  };
  /** The first unparsable line, named by number, so a wrong input format is visible. */
  firstError: string | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: AuditLogOptions) {
    this.queue = new EventQueue(options.maxQueued);
    this.nsOf = createNamespaceMapper(options.namespace ?? { kind: 'host' });
    this.host = new HostFacts(false, options.digestAlgorithm ?? 'sha256');
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (!existsSync(this.options.file)) {
      throw new EngineError(
        'TSEM_INVALID_ARGUMENT',
        `audit log ${this.options.file} does not exist (expected an auditd log such as /var/log/audit/audit.log)`
      );
    }
    this.running = this.readAll().finally(() => this.queue.end());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    this.queue.end();
  }

  /** Resolves when the whole file has been read and mapped. */
  finished(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  stats(): SourceStats {
    return Object.assign({}, this.counts, { dropped: this.queue.dropped });
  }

  /** A file is read at the consumer's pace: nothing is dropped. */
  drops(): DropCounts {
    return { 'source-queue': this.queue.dropped };
  }

  [Symbol.asyncIterator](): AsyncIterator<SourcedEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  private async readAll(): Promise<void> {
    const groups: AuditEventGroup[] = [];
    const assembler = new AuditAssembler((g) => groups.push(g), Number.MAX_SAFE_INTEGER);
    const lines = createInterface({
      input: createReadStream(this.options.file),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (this.stopped) break;
      this.counts.lines++;
      if (line.trim() === '') continue;
      const r = parseLogLine(line);
      if (!r.ok) {
        this.counts.parseErrors++;
        this.firstError ??= `${this.options.file} line ${this.counts.lines}: ${r.error}`;
        continue;
      }
      assembler.add(r.record, 0);
      while (groups.length > 0) await this.emit(groups.shift()!);
    }
    assembler.flushAll();
    this.counts.incomplete = assembler.incomplete;
    for (const g of groups) await this.emit(g);
  }

  private async emit(g: AuditEventGroup): Promise<void> {
    this.counts.groups++;
    const r = await mapAuditGroup(g, this.host);
    if ('skipped' in r) this.counts.skipped++;
    for (const event of r.events) {
      this.counts.events++;
      await this.queue.pushWhenRoom({ namespace: this.nsOf(Number(event.event.pid ?? -1)), event });
    }
  }
}
