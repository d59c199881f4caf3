/**
 * Landlock domains as the audit trail names them, so that a denial can be routed to the canister
 * whose workload created its domain (docs/landlock.md §5) even when the denying process is gone.
 * The kernel logs each domain once, with the first denial it causes (in the same audit event, after
 * the LANDLOCK_ACCESS record), as `LANDLOCK_DOMAIN domain=ID status=allocated mode=enforcing
 * pid=P …` where P called landlock_restrict_self, and once more, `status=deallocated denials=N`,
 * when its last process is gone. P's start time is read as its record arrives (a canister's
 * launcher keeps its workload's first process as a zombie until the canister is finished), so a
 * reused pid is told apart. Bounded: the oldest domains are forgotten first.
 */
import { readProcessStart } from '../host/procfs.js';
import type { LandlockDomainRef } from '../source.js';
import type { AuditEventGroup } from './audit-assembler.js';
import type { AuditRecord } from './audit-record.js';

/** Domains remembered at most. */
export const MAX_LANDLOCK_DOMAINS = 4096;

export class LandlockDomains {
  /** domain id → its creator, oldest first. */
  private readonly creators = new Map<string, { pid: number; start?: string }>();
  readonly counts = { allocated: 0, deallocated: 0, creatorUnknown: 0 };

  constructor(
    private readonly startOf: (pid: number) => string | undefined = readProcessStart,
    private readonly max = MAX_LANDLOCK_DOMAINS
  ) {}

  /** Takes note of a LANDLOCK_DOMAIN record as it arrives; other records are ignored. */
  observe(rec: AuditRecord): void {
    if (rec.type !== 'LANDLOCK_DOMAIN') return;
    const domain = rec.fields.get('domain')?.value;
    if (domain === undefined || !/^[0-9a-f]{1,16}$/i.test(domain)) return;
    const status = rec.fields.get('status')?.value;
    if (status === 'deallocated') {
      this.counts.deallocated++;
      this.creators.delete(domain);
      return;
    }
    const pid = Number(rec.fields.get('pid')?.value);
    if (status !== 'allocated' || !Number.isInteger(pid) || pid <= 0) return;
    this.counts.allocated++;
    const start = this.startOf(pid);
    this.creators.delete(domain);
    this.creators.set(domain, start !== undefined ? { pid, start } : { pid });
    if (this.creators.size > this.max) this.creators.delete(this.creators.keys().next().value!);
  }

  /** The domain of an event's denials and its creator when known; undefined without a denial. */
  refOf(g: AuditEventGroup): LandlockDomainRef | undefined {
    const domain = g.records.find((r) => r.type === 'LANDLOCK_ACCESS')?.fields.get('domain')?.value;
    if (domain === undefined) return undefined;
    const creator = this.creators.get(domain);
    if (!creator) {
      this.counts.creatorUnknown++;
      return { domain };
    }
    return { domain, creator };
  }

  get size(): number {
    return this.creators.size;
  }
}
