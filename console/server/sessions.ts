/**
 * Console sessions: a token (or a client certificate, or loopback anonymity where the gRPC API
 * allows it) is exchanged once for a random session id held in an HttpOnly, SameSite=Strict
 * cookie; the token itself is never kept, never put in a URL. Each session has its own CSRF token
 * that mutations must echo in a header. In memory, bounded, with idle and absolute expiry: a
 * restart signs everyone out.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Identity } from '../../engine/server/auth.js';

export const SESSION_COOKIE = 'tsem_console';
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionOptions {
  /** A session unused this long ends (default 1 hour). */
  readonly idleMs?: number;
  /** A session ends this long after sign-in whatever happens (default 12 hours). */
  readonly maxAgeMs?: number;
  /** Sessions kept at most; the least recently used goes first (default 1024). */
  readonly max?: number;
  readonly now?: () => number;
}

export interface Session {
  readonly identity: Identity;
  readonly csrf: string;
  readonly createdMs: number;
  lastMs: number;
  /** Signed out, evicted or expired: live views of it end. */
  ended: boolean;
}

const digest = (id: string) => createHash('sha256').update(id).digest('hex');

export class Sessions {
  /** SHA-256 of the session id → session, least recently used first (Map order). */
  private readonly byDigest = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(opts: SessionOptions = {}) {
    this.idleMs = opts.idleMs ?? 3_600_000;
    this.maxAgeMs = opts.maxAgeMs ?? 12 * 3_600_000;
    this.max = opts.max ?? 1024;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.byDigest.size;
  }

  /** A new session; returns the id for the cookie (kept here only as its digest). */
  create(identity: Identity): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: Session = {
      identity,
      csrf: randomBytes(32).toString('base64url'),
      createdMs: now,
      lastMs: now,
      ended: false,
    };
    this.byDigest.set(digest(id), session);
    while (this.byDigest.size > this.max) {
      const oldest = this.byDigest.keys().next().value as string;
      this.byDigest.get(oldest)!.ended = true;
      this.byDigest.delete(oldest);
    }
    return { id, session };
  }

  /** The live session of a cookie value, touched; undefined when unknown or expired. */
  get(id: string | undefined): Session | undefined {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const key = digest(id);
    const s = this.byDigest.get(key);
    if (!s) return undefined;
    const now = this.now();
    if (now - s.lastMs > this.idleMs || now - s.createdMs > this.maxAgeMs) {
      s.ended = true;
      this.byDigest.delete(key);
      return undefined;
    }
    s.lastMs = now;
    this.byDigest.delete(key);
    this.byDigest.set(key, s);
    return s;
  }

  delete(id: string | undefined): void {
    if (!id) return;
    const key = digest(id);
    const s = this.byDigest.get(key);
    if (s) s.ended = true;
    this.byDigest.delete(key);
  }

  /**
   * An open live view counts as use: keeps the session from idling out, until its absolute
   * lifetime. False when the session is over (its live views then end).
   */
  touch(s: Session): boolean {
    const now = this.now();
    if (s.ended || now - s.lastMs > this.idleMs || now - s.createdMs > this.maxAgeMs) {
      s.ended = true;
      return false;
    }
    s.lastMs = now;
    return true;
  }

  /** Whether a request's CSRF header matches the session's token. */
  static csrfMatches(s: Session, header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    const a = Buffer.from(header);
    const b = Buffer.from(s.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Set-Cookie for a new session: HttpOnly, SameSite=Strict, the console's path, Secure on TLS. */
  static cookie(id: string, secure: boolean): string {
    return `${SESSION_COOKIE}=${id}; Path=/console; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  static clearCookie(secure: boolean): string {
    return `${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
  }
}

/** Failed sign-ins per client address, so tokens cannot be guessed at speed (a fixed window). */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; sinceMs: number }>();

  constructor(
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now
  ) {}

  blocked(address: string): boolean {
    const f = this.failures.get(address);
    if (!f) return false;
    if (this.now() - f.sinceMs > this.windowMs) {
      this.failures.delete(address);
      return false;
    }
    return f.count >= this.perWindow;
  }

  failed(address: string): void {
    const now = this.now();
    const f = this.failures.get(address);
    if (!f || now - f.sinceMs > this.windowMs)
      this.failures.set(address, { count: 1, sinceMs: now });
    else f.count++;
    // Bounded: the oldest windows go first.
    while (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }
}
