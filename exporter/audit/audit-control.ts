/**
 * Request/answer plumbing on the audit netlink socket: each request carries NLM_F_ACK, and the
 * kernel's NLMSG_ERROR (errno 0 = ACK) settles the promise of that sequence number. An AUDIT_GET
 * reply (struct audit_status) carries the request's sequence number and may come after the ACK.
 */
import { EngineError } from '../../common/errors.js';
import type { AuditRawMessage, NativeAddon, NativeHandle } from '../../native/addon.js';
import {
  AUDIT_GET,
  AUDIT_LIST_RULES,
  type AuditStatus,
  NLMSG_DONE,
  NLMSG_ERROR,
  parseAuditStatus,
  parseNlError,
} from './audit-netlink.js';
import { type ListedRule, parseRuleData } from './audit-rules.js';

const REQUEST_TIMEOUT_MS = 3000;

/** A rejected request: the errno name (EPERM, EEXIST, ...) and number. */
export class NetlinkError extends Error {
  constructor(
    readonly errno: number,
    readonly request: string
  ) {
    super(`${request}: kernel answered errno ${errno}`);
  }
}

export class AuditControl {
  status: AuditStatus | undefined;
  private readonly pending = new Map<
    number,
    { resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private readonly statusWaiters = new Map<number, (s: AuditStatus) => void>();
  /** AUDIT_LIST_RULES replies being collected, by request sequence number. */
  private readonly listings = new Map<number, { rules: ListedRule[]; done: () => void }>();

  constructor(
    private readonly addon: NativeAddon,
    private readonly handle: NativeHandle
  ) {}

  /** Feeds a message read from the socket; returns false when it is not a control answer. */
  accept(m: AuditRawMessage): boolean {
    if (m.type === AUDIT_LIST_RULES || m.type === NLMSG_DONE) {
      const l = this.listings.get(m.seq);
      if (!l) return true;
      if (m.type === NLMSG_DONE) {
        this.listings.delete(m.seq);
        l.done();
      } else {
        const rule = parseRuleData(m.data);
        if (rule) l.rules.push(rule);
      }
      return true;
    }
    if (m.type === AUDIT_GET) {
      const s = parseAuditStatus(m.data);
      if (s) {
        this.status = s;
        this.statusWaiters.get(m.seq)?.(s);
        this.statusWaiters.delete(m.seq);
      }
      return true;
    }
    if (m.type !== NLMSG_ERROR) return false;
    const e = parseNlError(m.data);
    const p = e ? this.pending.get(e.seq) : undefined;
    if (!e || !p) return true;
    this.pending.delete(e.seq);
    clearTimeout(p.timer);
    if (e.errno === 0) p.resolve();
    else p.reject(new NetlinkError(e.errno, ''));
    return true;
  }

  async request(type: number, payload: Buffer, what: string): Promise<void> {
    await this.send(type, payload, what).ack;
  }

  private send(type: number, payload: Buffer, what: string): { seq: number; ack: Promise<void> } {
    const seq = this.addon.auditSend(this.handle, type, payload);
    const ack = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(
          new EngineError(
            'TSEM_UNAVAILABLE',
            `${what}: no answer from the kernel audit subsystem within ${REQUEST_TIMEOUT_MS} ms`
          )
        );
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(seq, {
        resolve,
        reject: (err) =>
          reject(err instanceof NetlinkError ? new NetlinkError(err.errno, what) : err),
        timer,
      });
    });
    return { seq, ack };
  }

  async getStatus(): Promise<AuditStatus> {
    const { seq, ack } = this.send(AUDIT_GET, Buffer.alloc(0), 'AUDIT_GET');
    const reply = new Promise<AuditStatus>((resolve) => this.statusWaiters.set(seq, resolve));
    await ack;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => {
        this.statusWaiters.delete(seq);
        reject(
          new EngineError(
            'TSEM_UNAVAILABLE',
            'AUDIT_GET: the kernel acknowledged but sent no audit status'
          )
        );
      }, REQUEST_TIMEOUT_MS);
    });
    try {
      return await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every rule of the kernel's audit filter lists (AUDIT_LIST_RULES, answered until NLMSG_DONE). */
  async listRules(): Promise<ListedRule[]> {
    const { seq, ack } = this.send(AUDIT_LIST_RULES, Buffer.alloc(0), 'AUDIT_LIST_RULES');
    const rules: ListedRule[] = [];
    const done = new Promise<void>((resolve) => this.listings.set(seq, { rules, done: resolve }));
    let timer: NodeJS.Timeout | undefined;
    try {
      await ack;
      await Promise.race([
        done,
        new Promise<never>((_r, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new EngineError(
                  'TSEM_UNAVAILABLE',
                  `AUDIT_LIST_RULES: the kernel sent no end of the list within ${REQUEST_TIMEOUT_MS} ms`
                )
              ),
            REQUEST_TIMEOUT_MS
          );
        }),
      ]);
      return rules;
    } finally {
      clearTimeout(timer);
      this.listings.delete(seq);
    }
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new EngineError('TSEM_UNAVAILABLE', 'audit socket closed'));
    }
    this.pending.clear();
    this.statusWaiters.clear();
    this.listings.clear();
  }
}
