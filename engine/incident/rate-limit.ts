/**
 * Token buckets for incident openings, one per namespace and severity: a storm of low-severity
 * findings can never use up the room of a high-severity one, and one namespace never another's.
 * Pure: the caller passes the time.
 */

export interface RateLimit {
  /** Openings allowed at once (bucket size). */
  readonly burst: number;
  /** Openings per minute refilled. */
  readonly perMinute: number;
}

/** Defaults: 10 at once, then 10 a minute, per namespace and severity. */
export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 10, perMinute: 10 };

/** Buckets kept at most (namespaces × severities); beyond it the oldest is forgotten (full). */
const MAX_BUCKETS = 4096;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(private readonly limit: RateLimit = DEFAULT_RATE_LIMIT) {}

  /** Takes one token for `key` at `nowMs`; false when the bucket is empty. */
  take(key: string, nowMs: number): boolean {
    if (this.limit.burst <= 0) return true; // 0 turns limiting off
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.limit.burst, atMs: nowMs };
      this.buckets.set(key, b);
      if (this.buckets.size > MAX_BUCKETS)
        this.buckets.delete(this.buckets.keys().next().value as string);
    }
    const refill = ((nowMs - b.atMs) / 60_000) * this.limit.perMinute;
    b.tokens = Math.min(this.limit.burst, b.tokens + Math.max(0, refill));
    b.atMs = nowMs;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
