/**
 * Measurement and state (tsem-model.md §2.6):
 *   proj(x) = HF(BASE || x);  extend(M, x) = HF(M || proj(x))
 *   measurement: M0 = extend(0^n, AGGREGATE), then extend with each new point in first-seen order
 *   state: extend(0^n, AGGREGATE), then every point (valid and forensic) in bytewise ascending order
 */
import type { DigestAlgorithm } from './digest.js';

export function extend(alg: DigestAlgorithm, base: Buffer, m: Buffer, x: Buffer): Buffer {
  return alg.hash(m, alg.hash(base, x));
}

/** The measurement after the aggregate, the "first event" of every namespace (§2.6, §2.7). */
export function seedMeasurement(alg: DigestAlgorithm, base: Buffer, aggregate: Buffer): Buffer {
  return extend(alg, base, alg.nullDigest, aggregate);
}

/** Measurement over points in the given order. */
export function measurementOf(
  alg: DigestAlgorithm,
  base: Buffer,
  aggregate: Buffer,
  points: Iterable<Buffer>
): Buffer {
  let m = seedMeasurement(alg, base, aggregate);
  for (const p of points) m = extend(alg, base, m, p);
  return m;
}

/** State: the points sorted bytewise (memcmp), so it does not depend on event order. */
export function stateOf(
  alg: DigestAlgorithm,
  base: Buffer,
  aggregate: Buffer,
  points: Iterable<Buffer>
): Buffer {
  return measurementOf(
    alg,
    base,
    aggregate,
    [...points].sort((a, b) => Buffer.compare(a, b))
  );
}
