/**
 * A run's outcomes survive the trip from a worker as rows: every verdict kind, flags, task ids,
 * coefficients of any digest size, and the outcomes rows do not hold (errors, notes, duplicates,
 * stage records, Landlock rights) beside them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Verdict } from '../ns/namespace-types.js';
import type { WireOutcome } from '../ns/shard-port.js';
import { decodeOutcomes, encodeOutcomes } from './outcome-codec.js';

const id = (n: number, ds: number) => Buffer.alloc(ds, n);
const plain = (v: Verdict) => ({ ...v });

for (const ds of [32, 48]) {
  test(`outcome rows round trip (${ds}-byte digests), through a transfer`, () => {
    const t1 = id(1, ds);
    const t2 = id(2, ds);
    const v = (over: Partial<Verdict>): Verdict => ({
      kind: 'on-contour',
      action: 'allow',
      coefficient: id(9, ds),
      taskId: t1,
      pTaskId: t2,
      trust: 'trusted',
      seq: 1,
      newPoint: false,
      ...over,
    });
    const outcomes: WireOutcome[] = [
      { verdict: v({ kind: 'learned', newPoint: true, seq: 2 ** 40 + 3 }) },
      {
        verdict: v({
          kind: 'off-contour',
          action: 'deny',
          trust: 'untrusted',
          coefficient: id(7, ds),
        }),
      },
      { verdict: v({ kind: 'untrusted-task', coefficient: undefined, taskId: id(3, ds) }) },
      { verdict: v({ kind: 'lifecycle', coefficient: undefined }) },
      { verdict: v({ kind: 'would-be-off-contour', landlock: 'read_file' }) },
      {
        verdict: v({ kind: 'learned' }),
        records: [{ stage: 'convergence', fields: { action: 'auto-sealed' }, alert: true }],
      },
      { error: 'bad line', seq: 9, alert: true, deny: true },
      { note: 'aggregate', seq: 4 },
      { duplicate: true },
    ];
    const encoded = encodeOutcomes(outcomes, ds);
    const arrived = structuredClone(encoded, {
      transfer: [encoded.rows.buffer, encoded.ids.buffer],
    });
    assert.equal(encoded.rows.byteLength, 0, 'the rows were transferred, not copied');
    const back = decodeOutcomes(arrived);
    assert.equal(back.length, outcomes.length);
    back.forEach((o, i) => {
      const want = outcomes[i]!;
      if (!want.verdict) return assert.deepEqual(o, want);
      assert.ok(
        o.verdict && Buffer.isBuffer(o.verdict.taskId) && Buffer.isBuffer(o.verdict.pTaskId)
      );
      if (o.verdict.coefficient) assert.ok(Buffer.isBuffer(o.verdict.coefficient));
      assert.deepEqual(plain(o.verdict), plain(want.verdict));
      assert.deepEqual(o.records, want.records);
    });
  });
}
